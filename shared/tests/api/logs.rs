//! What reaches the log at TRACE, with the subscriber the functions install, while the real
//! handlers talk to DynamoDB Local: no session id and no field value, from us or from the
//! SDK, whose TRACE lines carry whole DynamoDB requests and replies.

use lambda_http::{Body, Response};
use project_session::logging::{self, Format, LogBuffer};
use project_session::observe::RequestReport;
use project_session::DynamoStore;
use serde_json::{json, Value};
use tracing_subscriber::filter::LevelFilter;
use uuid::Uuid;

use crate::support::{config, dynamodb, event, handle, request, verb_of, with_body};

/// One request as a function serves it: the handler inside the request report.
async fn serve(store: &DynamoStore, event: &Value) -> Response<Body> {
    let report = RequestReport::from_env("logs-test");
    let config = config();
    let req = request(event);
    let verb = verb_of(event);
    let answer = report
        .observe(req, |req| handle(verb, store, &config, req))
        .await;
    answer.expect("the report never fails")
}

fn json_of(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("every response is JSON")
}

/// A draft's life with recognisable values, logged at TRACE in `format`; returns the log and
/// what must not be in it.
async fn a_draft_logged_at_trace(store: &DynamoStore, format: Format) -> (String, Vec<String>) {
    let mark = Uuid::new_v4().simple().to_string();
    let name = format!("Quillfeather Clinic {mark}");
    let email = format!("ada.{mark}@example.org");
    let phone = format!("+44 20 7946 {}", &mark[..4]);
    let location = format!("17 Larkspur Lane {mark}");

    let buffer = LogBuffer::default();
    let subscriber = logging::subscriber(LevelFilter::TRACE, format, buffer.clone());
    // The test runtime has one thread, so the SDK's and hyper's tasks log here too.
    let guard = tracing::dispatcher::set_default(&subscriber);

    let body = json!({"projectData": {"projectName": name, "clientEmail": email}});
    let created = serve(
        store,
        &with_body(event("create-session.json", None), Some(&body.to_string())),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", json_of(&created));
    let id = json_of(&created)["sessionId"].as_str().unwrap().to_string();

    let got = serve(store, &event("get-session.json", Some(&id))).await;
    assert_eq!(json_of(&got)["projectData"]["clientEmail"], json!(email));

    let mut update = event("update-session.json", Some(&id));
    update["headers"]
        .as_object_mut()
        .unwrap()
        .remove("if-match");
    let patch = json!({"projectData": {"clientPhone": phone, "projectLocation": location}});
    let updated = serve(store, &with_body(update.clone(), Some(&patch.to_string()))).await;
    assert_eq!(updated.status(), 200, "{}", json_of(&updated));
    // Refused: our own DEBUG line for it must not quote the value either.
    let refused = json!({"projectData": {"budget": email}});
    let refused = serve(store, &with_body(update, Some(&refused.to_string()))).await;
    assert_eq!(refused.status(), 400);

    let deleted = serve(store, &event("delete-session.json", Some(&id))).await;
    assert_eq!(deleted.status(), 200, "{}", json_of(&deleted));
    let gone = serve(store, &event("get-session.json", Some(&id))).await;
    assert_eq!(gone.status(), 404);

    drop(guard);
    (buffer.text(), vec![id, name, email, phone, location, mark])
}

#[tokio::test]
async fn at_trace_no_session_id_or_field_value_reaches_the_log() {
    let store = dynamodb().await;
    for format in [Format::Text, Format::Json] {
        let (log, secrets) = a_draft_logged_at_trace(&store, format).await;
        // A line per request, and our own DEBUG lines: the level really is TRACE for us.
        assert!(log.lines().count() >= 7, "{format:?}: {log}");
        assert!(log.contains("request refused"), "{format:?}: {log}");
        for secret in secrets {
            if let Some(at) = log.find(&secret) {
                let line = log[..at].lines().count();
                panic!("{format:?}: {secret:?} is in the log, line {line}:\n{log}");
            }
        }
    }
}
