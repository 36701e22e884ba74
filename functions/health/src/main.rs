//! `GET /health`: whether DynamoDB answers.

use lambda_http::{run, service_fn, Error};
use project_session::{handlers, telemetry, Config, DynamoStore};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let store = DynamoStore::from_config(&config).await;
    run(service_fn(|req| async {
        Ok::<_, Error>(handlers::health(&store, req).await)
    }))
    .await
}
