//! HTTP glue: reading a request's id and body, and the one place where errors become statuses.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use lambda_http::http::header::{HeaderName, HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Value};

use crate::decode::{DecodeError, ID_RULE, MAX_BODY_BYTES};
use crate::domain::{IdempotencyKey, SessionId};
use crate::observe::{self, Event};
use crate::store::StoreError;

/// Seconds a client should wait before retrying when DynamoDB is unavailable.
pub const RETRY_AFTER_SECS: u32 = 1;

#[derive(thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest {
        message: String,
        details: Option<BTreeMap<String, String>>,
    },
    #[error("Session not found")]
    NotFound,
    /// Told apart only in logs and metrics: the client sees the same 404 as `NotFound`.
    #[error("Session not found")]
    Expired,
    #[error("Method not allowed")]
    MethodNotAllowed { allow: &'static str },
    #[error("Session was changed by another request")]
    VersionMismatch { current: u64 },
    #[error("Request body is larger than {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("This Idempotency-Key was already used with another request body")]
    IdempotencyKeyReused,
    #[error("The session store is unavailable, try again shortly")]
    Unavailable(#[source] StoreError),
    #[error("Internal server error")]
    Internal(#[source] StoreError),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            details: None,
        }
    }

    fn invalid_field(field: &str, problem: &str) -> Self {
        ApiError::BadRequest {
            message: "Invalid request".into(),
            details: Some(BTreeMap::from([(field.to_string(), problem.to_string())])),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound | ApiError::Expired => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
        let mut body = json!({ "error": self.to_string() });
        match &self {
            ApiError::BadRequest {
                details: Some(details),
                ..
            } => body["details"] = json!(details),
            ApiError::VersionMismatch { current } => body["currentVersion"] = json!(current),
            _ => {}
        }
        let mut response = json_response(status, &body);
        let headers = response.headers_mut();
        match self {
            ApiError::MethodNotAllowed { allow } => {
                headers.insert(ALLOW, HeaderValue::from_static(allow));
            }
            ApiError::Unavailable(_) => {
                headers.insert(
                    HeaderName::from_static("retry-after"),
                    RETRY_AFTER_SECS.into(),
                );
            }
            ApiError::VersionMismatch { current } => set_etag(&mut response, current),
            ApiError::Expired => observe::note(&mut response, Event::Expired),
            _ => {}
        }
        response
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
            DecodeError::Malformed(message) => ApiError::bad_request(message),
            DecodeError::Invalid(details) => ApiError::BadRequest {
                message: "Invalid request body".into(),
                details: Some(details),
            },
        }
    }
}

/// Every response is JSON and never cached: a draft holds personal data.
pub fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::Text(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn set_etag(response: &mut Response<Body>, version: u64) {
    if let Ok(value) = HeaderValue::try_from(format!("\"{version}\"")) {
        response.headers_mut().insert("etag", value);
    }
}

/// RFC 3339 in UTC with a `Z`, as JavaScript's `Date` prints it.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Routes pin methods in API Gateway; this guards the same under `cargo lambda watch`.
pub fn require_method(req: &Request, allow: &'static str) -> Result<(), ApiError> {
    let allowed = allow
        .split(", ")
        .any(|m| Method::from_bytes(m.as_bytes()).is_ok_and(|m| m == req.method()));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed { allow })
    }
}

/// The `{sessionId}` path parameter, if the route has one.
pub fn path_session_id(req: &Request) -> Result<Option<SessionId>, ApiError> {
    match req.path_parameters_ref().and_then(|p| p.first("sessionId")) {
        None => Ok(None),
        Some(text) => SessionId::parse(text)
            .map(Some)
            .ok_or_else(|| ApiError::invalid_field("sessionId", ID_RULE)),
    }
}

pub fn required_path_session_id(req: &Request) -> Result<SessionId, ApiError> {
    path_session_id(req)?.ok_or_else(|| ApiError::invalid_field("sessionId", "is required"))
}

/// The raw body, refused when too large (before any parsing) or not JSON.
/// API Gateway hands over base64 bodies already decoded as `Body::Binary`.
pub fn json_body(req: &Request) -> Result<&[u8], ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if !bytes.is_empty() {
        if let Some(content_type) = req.headers().get(CONTENT_TYPE) {
            if !is_json(content_type) {
                return Err(ApiError::UnsupportedMediaType);
            }
        }
    }
    Ok(bytes)
}

fn is_json(content_type: &HeaderValue) -> bool {
    let Ok(text) = content_type.to_str() else {
        return false;
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `Idempotency-Key`, if sent: a malformed one is refused, never ignored, so that a client
/// never believes a create is safe to repeat when it is not.
pub fn idempotency_key(req: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(IdempotencyKey::parse)
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid_field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters, e.g. a UUID",
            )
        })
}

/// `If-Match: "3"` (or `W/"3"`) asks for version 3; `*` asks for nothing beyond existence.
/// Entity tags are quoted (RFC 9110); anything else is refused rather than guessed at.
pub fn if_match_version(req: &Request) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get("if-match") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix("W/")
        .unwrap_or(text)
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|v| *v >= 1)
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid_field(
                "If-Match",
                "must be an ETag returned by this API, e.g. \"3\"",
            )
        })
}
