//! `GET /project-sessions` (owned mode): the caller's live drafts, newest first.

use lambda_http::Error;
use project_session::{handlers, Verb};

// One thread: a Lambda instance serves one request at a time, on a fraction of a vCPU.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    project_session::serve!(Verb::ListSessions, |store, config, req| {
        handlers::list_sessions(store, config, req)
    })
}
