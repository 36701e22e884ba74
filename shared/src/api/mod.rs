//! The HTTP edges: reading what a request carries (`request`), writing a response
//! (`response`), and what a request can be refused with (`error`: the one place where an
//! error becomes a status, headers and a body).

mod error;
mod request;
mod response;

pub use error::{ApiError, RETRY_AFTER_SECS};
pub use request::{
    caller, idempotency_key, if_match, json_body, page_limit, page_start, page_token,
    path_session_id, require_method, required_path_session_id,
};
pub use response::{json_response, set_etag, timestamp};
