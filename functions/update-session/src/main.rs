//! `PUT /project-session[/{sessionId}]`: autosaves fields of a draft.

use lambda_http::Error;
use project_session::{handlers, Verb};

// One thread: a Lambda instance serves one request at a time, on a fraction of a vCPU.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    project_session::serve!(Verb::UpdateSession, |store, config, req| {
        handlers::update_session(store, config, req)
    })
}
