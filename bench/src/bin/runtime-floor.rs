//! The benchmark's floor for the Lambda machinery: a function built like ours (same runtime,
//! lambda_http, per-request log and metrics lines) whose handler answers at once, without
//! DynamoDB. Its warm latency under the harness is what everything but the handler costs.

use lambda_http::{run, service_fn, Body, Error, Response};
use project_session::logging;
use project_session::observe::{count_event, Event, RequestReport};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    logging::init();
    let report = RequestReport::from_env("runtime-floor");
    run(service_fn(|req| {
        report.observe(req, |_req| async {
            let mut response = Response::new(Body::from("{}"));
            count_event(&mut response, Event::Updated);
            response
        })
    }))
    .await
}
