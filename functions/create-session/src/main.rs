//! `POST /project-session`: starts a draft.

use lambda_http::{run, service_fn, Error};
use project_session::observe::RequestReport;
use project_session::{handlers, logging, Config, DynamoStore};

// One thread: a Lambda instance serves one request at a time, on a fraction of a vCPU.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    logging::init();
    let config = Config::from_env()?;
    let store = DynamoStore::from_config(&config)?;
    let report = RequestReport::from_env("create-session");
    run(service_fn(|req| {
        report.observe(req, |req| handlers::create_session(&store, &config, req))
    }))
    .await
}
