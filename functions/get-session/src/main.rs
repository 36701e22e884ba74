//! `GET /project-session/{sessionId}`: a draft, as stored.

use lambda_http::Error;
use project_session::{handlers, Verb};

// One thread: a Lambda instance serves one request at a time, on a fraction of a vCPU.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    project_session::serve!(
        Verb::GetSession,
        |store, config, req| handlers::get_session(store, config, req)
    )
}
