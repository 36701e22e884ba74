//! The benchmark's floor for the Lambda machinery: a function built like ours (same runtime,
//! lambda_http, per-request log and metrics lines) whose handler answers at once, without
//! DynamoDB. Its warm latency under the harness is what everything but the handler costs.

use lambda_http::{run, service_fn, Body, Error, Response};
use project_session::observe::Telemetry;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    project_session::telemetry::init();
    let telemetry = Telemetry::from_env("runtime-floor");
    run(service_fn(|req| {
        telemetry.observe(req, |_req| async {
            let mut response = Response::new(Body::from("{}"));
            project_session::observe::note(&mut response, project_session::observe::Event::Updated);
            response
        })
    }))
    .await
}
