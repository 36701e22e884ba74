//! How every response is written: JSON, never cached, versions as entity tags, times in UTC.

use chrono::{DateTime, SecondsFormat, Utc};
use lambda_http::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::Value;

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
