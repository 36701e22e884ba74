//! `POST /project-session`: starts a draft.

use lambda_http::{run, service_fn, Error};
use project_session::{handlers, telemetry, Config, DynamoStore};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let store = DynamoStore::from_config(&config).await;
    run(service_fn(|req| async {
        Ok::<_, Error>(handlers::create_session(&store, &config, req).await)
    }))
    .await
}
