//! The pure request path of a typical autosave, without the network: the API Gateway event to
//! a request, decoding and validating the body, building the UpdateItem expressions, and
//! encoding the answer. Then the costliest bodies to refuse: as many members as the body limit
//! holds (distinct unknown keys, one key repeated, or distinct keys each given twice), from the
//! event to the 400.
//! `scripts/bench.sh` runs it and reports it in BENCHMARKS.md.

use std::hint::black_box;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::http::StatusCode;
use project_session::api::{json_body, json_response, path_session_id, timestamp, ApiError};
use project_session::decode::{decode_update, MAX_BODY_BYTES};
use project_session::domain::ExpiryPolicy;
use project_session::dynamodb::update_expression;
use serde_json::json;

fn autosave_event() -> String {
    update_event(&json!({"projectData": {"projectName": "Riverside Clinic"}}).to_string())
}

fn update_event(body: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/update-session.json");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["headers"].as_object_mut().unwrap().remove("if-match");
    event["body"] = json!(body);
    event.to_string()
}

/// A JSON object of `member(0)`, `member(1)`, ... as long as it stays within the body limit.
fn largest_body(member: impl Fn(usize) -> String) -> String {
    let mut body = String::from("{");
    for i in 0.. {
        let next = member(i);
        // A comma before it and the closing brace after it.
        if body.len() + 1 + next.len() + 1 > MAX_BODY_BYTES {
            break;
        }
        if i > 0 {
            body.push(',');
        }
        body.push_str(&next);
    }
    body.push('}');
    body
}

/// Distinct keys, shortest first: the most members 64 KiB holds.
fn short_key(mut i: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut key = String::new();
    loop {
        key.push(DIGITS[i % DIGITS.len()] as char);
        i /= DIGITS.len();
        if i == 0 {
            return key;
        }
        i -= 1;
    }
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
            let expression = update_expression(&update.patch, None, now, policy.expires_at(now), "bench");
            let response = json_response(
                StatusCode::OK,
                &json!({ "success": true, "version": 2, "expiresAt": timestamp(policy.expires_at(now)) }),
            );
            black_box((id, expression, response))
        })
    });
}

fn refused_bodies(c: &mut Criterion) {
    let bodies = [
        (
            "refused body: 64 KiB of distinct unknown keys",
            largest_body(|i| format!(r#""{}":0"#, short_key(i))),
        ),
        (
            "refused body: 64 KiB of one key repeated",
            largest_body(|_| r#""a":0"#.to_string()),
        ),
        (
            "refused body: 64 KiB of distinct keys, each twice",
            largest_body(|i| format!(r#""{}":0"#, short_key(i / 2))),
        ),
    ];
    for (name, body) in bodies {
        let event = update_event(&body);
        c.bench_function(name, |b| {
            b.iter(|| {
                let req = lambda_http::request::from_str(black_box(&event)).unwrap();
                let error = decode_update(json_body(&req).unwrap()).unwrap_err();
                let response = ApiError::from(error).into_response();
                assert_eq!(response.status(), StatusCode::BAD_REQUEST);
                black_box(response)
            })
        });
    }
}

criterion_group!(benches, request_path, refused_bodies);
criterion_main!(benches);
