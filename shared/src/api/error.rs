//! What a request can be refused with, one variant per kind of refusal, and the one place
//! where each becomes a status, headers and a JSON body. The client sees a plain message; the
//! logs get the whole cause chain.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use lambda_http::http::header::{HeaderName, HeaderValue, ALLOW};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{json, Value};

use super::response::{json_response, set_etag};
use crate::decode::{DecodeError, MAX_BODY_BYTES};
use crate::store::StoreError;

/// Seconds a client should wait before retrying when DynamoDB is unavailable.
pub const RETRY_AFTER_SECS: u32 = 1;

#[derive(thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON, or not the JSON object the route takes; the message says how.
    #[error("{0}")]
    MalformedBody(String),
    /// A JSON object of the right shape whose fields break their rules: field -> problem.
    #[error("Invalid request body")]
    InvalidBody(BTreeMap<String, String>),
    /// A path parameter or header that breaks its rule: name -> problem.
    #[error("Invalid request")]
    InvalidRequest(BTreeMap<String, String>),
    #[error("Method not allowed")]
    MethodNotAllowed { allow: &'static str },
    /// A route this mode does not have (the list, in anonymous mode).
    #[error("Not found")]
    RouteNotFound,
    #[error("Request body is larger than {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// Owned mode without a verified caller. API Gateway's authorizer answers this itself before
    /// any function runs; a function still refuses an event without claims.
    #[error("Sign in to keep drafts: a valid bearer token is required")]
    Unauthorized,
    #[error("Session not found")]
    NotFound,
    /// Told apart only in logs and metrics: the client sees the same 404 as `NotFound`.
    #[error("Session not found")]
    Expired,
    #[error("Session was changed by another request")]
    VersionMismatch { current: u64 },
    #[error("This Idempotency-Key was already used: make a new one for a new create")]
    IdempotencyKeyReused,
    /// Owned mode: the caller has as many live drafts as one person may.
    #[error("You have {cap} drafts already: finish or discard one to start another")]
    TooManyDrafts { cap: u32 },
    #[error("The session store is unavailable, try again shortly")]
    Unavailable(#[source] StoreError),
    /// `GET /health` when the store does not answer: the client gets the health body.
    #[error("The health check found the session store unavailable")]
    Unhealthy(#[source] StoreError),
    #[error("Internal server error")]
    Internal(#[source] StoreError),
}

/// The error a response was made from, kept in its extensions (which never reach the client)
/// for `crate::observe`.
#[derive(Clone)]
struct AnsweredWith(Arc<ApiError>);

impl ApiError {
    /// Fields of the body that break their rules, each with its problem.
    pub fn invalid_body<F: Into<String>, P: Into<String>>(
        problems: impl IntoIterator<Item = (F, P)>,
    ) -> Self {
        ApiError::InvalidBody(
            problems
                .into_iter()
                .map(|(field, problem)| (field.into(), problem.into()))
                .collect(),
        )
    }

    /// A path parameter or header that breaks its rule.
    pub fn invalid_request(name: &str, problem: &str) -> Self {
        ApiError::InvalidRequest(BTreeMap::from([(name.to_string(), problem.to_string())]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedBody(_) | ApiError::InvalidBody(_) | ApiError::InvalidRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::Expired | ApiError::RouteNotFound => {
                StatusCode::NOT_FOUND
            }
            ApiError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyDrafts { .. } => StatusCode::CONFLICT,
            ApiError::Unavailable(_) | ApiError::Unhealthy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> Value {
        match self {
            // What a monitor reads, in the shape of the healthy answer.
            ApiError::Unhealthy(_) => json!({ "status": "unhealthy", "dynamodb": "disconnected" }),
            ApiError::InvalidBody(details) | ApiError::InvalidRequest(details) => {
                json!({ "error": self.to_string(), "details": details })
            }
            ApiError::VersionMismatch { current } => {
                json!({ "error": self.to_string(), "currentVersion": current })
            }
            ApiError::TooManyDrafts { cap } => {
                json!({ "error": self.to_string(), "maxDrafts": cap })
            }
            _ => json!({ "error": self.to_string() }),
        }
    }

    fn add_headers(&self, response: &mut Response<Body>) {
        match self {
            ApiError::MethodNotAllowed { allow } => {
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static(allow));
            }
            // Health too: a load balancer or a client polling it knows when to look again.
            ApiError::Unavailable(_) | ApiError::Unhealthy(_) => {
                response.headers_mut().insert(
                    HeaderName::from_static("retry-after"),
                    RETRY_AFTER_SECS.into(),
                );
            }
            ApiError::VersionMismatch { current } => set_etag(response, *current),
            _ => {}
        }
    }

    /// The client sees a plain message; the cause chain stays in the logs.
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let mut response = json_response(status, &self.body());
        self.add_headers(&mut response);
        response
            .extensions_mut()
            .insert(AnsweredWith(Arc::new(self)));
        response
    }

    /// The error `response` was made from, if it was made from one.
    pub fn of(response: &Response<Body>) -> Option<&ApiError> {
        response
            .extensions()
            .get::<AnsweredWith>()
            .map(|answered| &*answered.0)
    }
}

/// Logs read the whole cause chain, as zero2prod's `error_chain_fmt` does.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Expired => ApiError::Expired,
            StoreError::VersionMismatch { current } => ApiError::VersionMismatch { current },
            StoreError::Unavailable(_) => ApiError::Unavailable(e),
            StoreError::AlreadyExists | StoreError::Failed(_) => ApiError::Internal(e),
        }
    }
}

impl From<DecodeError> for ApiError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Malformed(message) => ApiError::MalformedBody(message),
            DecodeError::Invalid(details) => ApiError::invalid_body(details),
        }
    }
}
