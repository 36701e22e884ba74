//! What a request carries besides its body's fields: the method, the `{sessionId}` path
//! parameter, the raw body and its media type, and the `Idempotency-Key` and `If-Match`
//! headers. Each is refused as soon as it is read wrong, before any store is asked.

use lambda_http::http::header::{HeaderValue, CONTENT_TYPE};
use lambda_http::http::Method;
use lambda_http::{Request, RequestExt};

use super::ApiError;
use crate::decode::{ID_RULE, MAX_BODY_BYTES};
use crate::domain::{IdempotencyKey, SessionId};

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
            .ok_or_else(|| ApiError::invalid_request("sessionId", ID_RULE)),
    }
}

pub fn required_path_session_id(req: &Request) -> Result<SessionId, ApiError> {
    path_session_id(req)?.ok_or_else(|| ApiError::invalid_request("sessionId", "is required"))
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
            ApiError::invalid_request(
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
            ApiError::invalid_request(
                "If-Match",
                "must be an ETag returned by this API, e.g. \"3\"",
            )
        })
}
