//! The pure request path of a typical autosave, without the network: the API Gateway event to
//! a request, decoding and validating the body, building the UpdateItem expressions, and
//! encoding the answer. `scripts/bench.sh` runs it and reports it in BENCHMARKS.md.

use std::hint::black_box;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::http::StatusCode;
use project_session::api::{json_body, json_response, path_session_id, timestamp};
use project_session::decode::decode_update;
use project_session::domain::ExpiryPolicy;
use project_session::dynamodb::update_expression;
use serde_json::json;

fn autosave_event() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/update-session.json");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["headers"].as_object_mut().unwrap().remove("if-match");
    event["body"] = json!(json!({"projectData": {"projectName": "Riverside Clinic"}}).to_string());
    event.to_string()
}

fn request_path(c: &mut Criterion) {
    let event = autosave_event();
    let policy = ExpiryPolicy::default();
    c.bench_function("autosave request path", |b| {
        b.iter(|| {
            let req = lambda_http::request::from_str(black_box(&event)).unwrap();
            let id = path_session_id(&req).unwrap().unwrap();
            let update = decode_update(json_body(&req).unwrap()).unwrap();
            let now = Utc::now();
            let expression = update_expression(&update.patch, now, &policy);
            let response = json_response(
                StatusCode::OK,
                &json!({ "success": true, "version": 2, "expiresAt": timestamp(policy.expires_at(now)) }),
            );
            black_box((id, expression, response))
        })
    });
}

criterion_group!(benches, request_path);
criterion_main!(benches);
