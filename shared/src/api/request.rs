//! What a request carries besides its body's fields: the method, the `{sessionId}` path
//! parameter, the raw body and its media type, and the `Idempotency-Key` and `If-Match`
//! headers. Each is refused as soon as it is read wrong, before any store is asked.

use std::collections::BTreeSet;

use lambda_http::http::header::{HeaderValue, CONTENT_TYPE};
use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use super::ApiError;
use crate::config::AuthMode;
use crate::decode::{ID_RULE, MAX_BODY_BYTES};
use crate::domain::{IdempotencyKey, Owner, SessionId};
use crate::store::PageStart;

/// Drafts a page of the list holds at most, and by default.
pub const PAGE_LIMIT_MAX: u32 = 50;
pub const PAGE_LIMIT_DEFAULT: u32 = 20;

/// `?limit=` of the list: 1 to 50, 20 if absent.
pub fn page_limit(req: &Request) -> Result<u32, ApiError> {
    match req
        .query_string_parameters_ref()
        .and_then(|q| q.first("limit"))
    {
        None => Ok(PAGE_LIMIT_DEFAULT),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=PAGE_LIMIT_MAX).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_request("limit", "must be a whole number from 1 to 50")
            }),
    }
}

/// `?pageToken=`: where the page starts, as the last page's `nextPageToken` said. Opaque to
/// clients; here `<createdAt millis>.<sessionId>`.
pub fn page_start(req: &Request) -> Result<Option<PageStart>, ApiError> {
    let Some(token) = req
        .query_string_parameters_ref()
        .and_then(|q| q.first("pageToken"))
    else {
        return Ok(None);
    };
    token
        .split_once('.')
        .and_then(|(at, id)| {
            Some(PageStart {
                created_at: at.parse().ok().filter(|at: &i64| *at >= 0)?,
                id: SessionId::parse(id)?,
            })
        })
        .map(Some)
        .ok_or_else(|| ApiError::invalid_request("pageToken", "is not a token this API gave"))
}

/// The token of the page that starts at `start`.
pub fn page_token(start: &PageStart) -> String {
    format!("{}.{}", start.created_at, start.id)
}

/// Whose drafts the request may reach. Owned mode: the `sub` claim API Gateway's JWT authorizer
/// verified and put in the request context, never a header; 401 without one.
pub fn caller(req: &Request, auth: AuthMode) -> Result<Option<Owner>, ApiError> {
    if auth == AuthMode::Anonymous {
        return Ok(None);
    }
    let sub = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|authorizer| authorizer.jwt.as_ref())
            .and_then(|jwt| jwt.claims.get("sub")),
        _ => None,
    };
    sub.and_then(|sub| Owner::parse(sub))
        .map(Some)
        .ok_or(ApiError::Unauthorized)
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
                "must be a UUID made for this create, e.g. by crypto.randomUUID()",
            )
        })
}

/// DynamoDB's `IN` takes at most 100 values.
const MAX_IF_MATCH_TAGS: usize = 100;

/// `If-Match` as RFC 9110 (13.1.1) reads it: `*`, or a list of entity-tags of which any may
/// match, compared strongly (a weak `W/"3"` never matches; `"03"` is not `"3"`). Returns the
/// versions the list names (`None` for no header or `*`); a well-formed tag this API never
/// sent names none, so it gets 412, not 400. Only a header that is not an entity-tag list is
/// refused.
pub fn if_match(req: &Request) -> Result<Option<BTreeSet<u64>>, ApiError> {
    // Several header lines are one list (RFC 9110 5.3), as API Gateway joins them.
    let lines: Vec<&[u8]> = req
        .headers()
        .get_all("if-match")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let joined = lines.join(&b","[..]);
    let refused = |problem: &str| ApiError::invalid_request("If-Match", problem);
    let not_a_list = || refused("must be * or a list of entity-tags, e.g. \"3\"");
    let text = joined.trim_ascii();
    if text == b"*" {
        return Ok(None);
    }
    let mut versions = BTreeSet::new();
    let mut tags = 0;
    let mut rest = text;
    loop {
        // Empty list elements (`, ,`) are allowed by the list syntax (RFC 9110 5.6.1).
        while let [b' ' | b'\t' | b',', tail @ ..] = rest {
            rest = tail;
        }
        if rest.is_empty() {
            break;
        }
        let (weak, tag) = match rest.strip_prefix(b"W/") {
            Some(tag) => (true, tag),
            None => (false, rest),
        };
        let opaque = tag.strip_prefix(b"\"").ok_or_else(not_a_list)?;
        let end = opaque
            .iter()
            .position(|b| *b == b'"')
            .ok_or_else(not_a_list)?;
        let (etag, after) = (&opaque[..end], &opaque[end + 1..]);
        // etagc: %x21 / %x23-7E / obs-text
        if !etag
            .iter()
            .all(|b| *b == 0x21 || (0x23..=0x7e).contains(b) || *b >= 0x80)
        {
            return Err(not_a_list());
        }
        tags += 1;
        if !weak {
            if let Some(version) = std::str::from_utf8(etag)
                .ok()
                .and_then(|t| t.parse::<u64>().ok())
                .filter(|v| *v >= 1 && v.to_string().as_bytes() == etag)
            {
                versions.insert(version);
            }
        }
        rest = after.trim_ascii_start();
        if !(rest.is_empty() || rest.starts_with(b",")) {
            return Err(not_a_list());
        }
    }
    if tags == 0 {
        return Err(not_a_list());
    }
    if versions.len() > MAX_IF_MATCH_TAGS {
        return Err(refused("may name at most 100 versions"));
    }
    Ok(Some(versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_on_several_lines_is_one_list() {
        let req: Request = lambda_http::http::Request::builder()
            .header("if-match", "\"7\"")
            .header("if-match", "W/\"4\", \"3\"")
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(if_match(&req).unwrap(), Some([3, 7].into()));
    }
}
