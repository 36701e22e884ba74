//! What a function tells CloudWatch about each request: one log line (route, status, latency,
//! Lambda request id, a short tag of the session id) and one Embedded Metric Format line with
//! its counters. Never draft contents, e-mails, phone numbers or whole session ids.
//!
//! Handlers leave what only they know in the response (`count_event`, `log_session_tag`);
//! `RequestReport::observe` adds what the response itself shows (its status, the error it was
//! made from) and writes both lines.

use std::convert::Infallible;
use std::future::Future;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Map, Value};

use crate::api::ApiError;
use crate::domain::SessionId;

/// The original design's counters `created`, `completed`, `expired` and `errors`, plus
/// `updated` and `deleted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Created,
    Updated,
    Deleted,
    /// A draft deleted after all its steps were completed: a project was created from it.
    Completed,
    /// A request that found its draft expired.
    Expired,
    /// A request that failed on our side (5xx).
    Error,
}

impl Event {
    pub fn metric(self) -> &'static str {
        match self {
            Event::Created => "created",
            Event::Updated => "updated",
            Event::Deleted => "deleted",
            Event::Completed => "completed",
            Event::Expired => "expired",
            Event::Error => "errors",
        }
    }
}

/// Left by handlers in the response's extensions, which never reach the client.
#[derive(Clone, Debug, Default)]
struct Outcome {
    events: Vec<Event>,
    session: Option<String>,
}

fn outcome(response: &mut Response<Body>) -> &mut Outcome {
    response.extensions_mut().get_or_insert_default::<Outcome>()
}

/// Counts `event` in the metrics line of the request `response` answers.
pub fn count_event(response: &mut Response<Body>, event: Event) {
    outcome(response).events.push(event);
}

/// Names the session, by its short log tag, in the log line of the request `response` answers.
pub fn log_session_tag(response: &mut Response<Body>, id: SessionId) {
    outcome(response).session = Some(id.log_tag());
}

/// What the report counts and logs of a response: what its handler left, and what the response
/// itself shows (a draft found expired, a failure on our side).
fn take_outcome(response: &mut Response<Body>) -> Outcome {
    let mut outcome = response
        .extensions_mut()
        .remove::<Outcome>()
        .unwrap_or_default();
    if let Some(ApiError::Expired) = ApiError::of(response) {
        outcome.events.push(Event::Expired);
    }
    if response.status().is_server_error() {
        outcome.events.push(Event::Error);
    }
    outcome
}

/// Reports each request of a function: built once per cold start.
#[derive(Clone, Debug)]
pub struct RequestReport {
    function: &'static str,
    namespace: String,
}

impl RequestReport {
    pub const DEFAULT_NAMESPACE: &'static str = "ProjectSession";

    /// The namespace comes from `METRICS_NAMESPACE` (a template parameter).
    pub fn from_env(function: &'static str) -> Self {
        let namespace = std::env::var("METRICS_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| Self::DEFAULT_NAMESPACE.to_string());
        RequestReport {
            function,
            namespace,
        }
    }

    /// Runs one request through `handle` and reports it.
    pub async fn observe<F, Fut>(
        &self,
        req: Request,
        handle: F,
    ) -> Result<Response<Body>, Infallible>
    where
        F: FnOnce(Request) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        let started = Instant::now();
        let route = route(&req);
        let request_id = req.lambda_context_ref().map(|c| c.request_id.clone());
        let mut response = handle(req).await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let status = response.status();
        let outcome = take_outcome(&mut response);
        tracing::info!(
            route = %route,
            status = status.as_u16(),
            latency_ms = (latency_ms * 1000.0).round() / 1000.0,
            request_id = request_id.as_deref().unwrap_or("-"),
            session = outcome.session.as_deref().unwrap_or("-"),
            "request"
        );
        if let Some(line) = emf_line(self, &outcome.events, request_id.as_deref(), now_millis()) {
            // EMF is read from the function's standard output, one JSON document per line.
            println!("{line}");
        }
        Ok(response)
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The route as API Gateway names it; an event without one (`$default`, as `cargo lambda
/// invoke` and watch's own router send) has it rebuilt from the method and path parameters.
fn route(req: &Request) -> String {
    if let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() {
        if let Some(key) = ctx.route_key.as_deref().filter(|k| *k != "$default") {
            return key.to_string();
        }
    }
    let has_id = req
        .path_parameters_ref()
        .is_some_and(|p| p.first("sessionId").is_some());
    let path = if has_id {
        "/project-session/{sessionId}"
    } else {
        req.raw_http_path()
    };
    let path: String = path.chars().take(64).collect();
    format!("{} {path}", req.method())
}

/// One EMF document counting `events`; `None` when there is nothing to count.
/// Written by hand rather than through a metrics crate: the documents are per request (no
/// process-wide recorder to share between concurrent invocations), and the format is small.
pub fn emf_line(
    report: &RequestReport,
    events: &[Event],
    request_id: Option<&str>,
    timestamp_ms: u64,
) -> Option<String> {
    if events.is_empty() {
        return None;
    }
    let mut document = Map::new();
    let mut metrics = Vec::new();
    for event in events {
        let name = event.metric();
        if !document.contains_key(name) {
            metrics.push(json!({ "Name": name, "Unit": "Count" }));
            document.insert(name.to_string(), json!(0));
        }
        if let Some(Value::Number(n)) = document.get(name) {
            let count = n.as_u64().unwrap_or(0) + 1;
            document.insert(name.to_string(), json!(count));
        }
    }
    document.insert("function".into(), json!(report.function));
    if let Some(id) = request_id {
        document.insert("requestId".into(), json!(id));
    }
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": report.namespace,
                "Dimensions": [["function"]],
                "Metrics": metrics,
            }],
        }),
    );
    Some(Value::Object(document).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_counts_each_event_under_the_function_dimension() {
        let report = RequestReport {
            function: "delete-session",
            namespace: "Drafts".into(),
        };
        let line = emf_line(
            &report,
            &[Event::Deleted, Event::Completed],
            Some("req-1"),
            42,
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc["deleted"], 1);
        assert_eq!(doc["completed"], 1);
        assert_eq!(doc["function"], "delete-session");
        assert_eq!(doc["requestId"], "req-1");
        let spec = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(doc["_aws"]["Timestamp"], 42);
        assert_eq!(spec["Namespace"], "Drafts");
        assert_eq!(spec["Dimensions"], json!([["function"]]));
        assert_eq!(
            spec["Metrics"],
            json!([{"Name": "deleted", "Unit": "Count"}, {"Name": "completed", "Unit": "Count"}])
        );
        assert_eq!(emf_line(&report, &[], None, 42), None);
    }
}
