//! Property tests of the request path (decode, validate, route, respond) against the in-memory
//! store: for any body, path parameter or header, no panic and no 5xx, always a JSON answer,
//! and a refused request never changes the stored draft. Runs a bounded number of cases in CI
//! (`PROPTEST_CASES` raises it).

use std::sync::Arc;

use lambda_http::http::StatusCode;
use project_session::domain::Field;
use project_session::store::memory::MemoryStore;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::{call, create, event, get, with_body, with_header};

/// Every field of the schema, and names that are not fields.
fn field_names() -> Vec<&'static str> {
    Field::ALL
        .iter()
        .map(|f| f.name())
        .chain(["colour", ""])
        .collect()
}

/// JSON values of every kind, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (0u64..10).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![Just("low"), Just("medium"), Just("high")].prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(field_names()).prop_map(String::from),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies shaped like updates, with any values in any of the known and unknown places.
fn update_body(id: String) -> impl Strategy<Value = String> {
    (
        prop::collection::btree_map(prop::sample::select(field_names()), json_value(), 0..8),
        prop::option::of(json_value()),
        prop::option::of(json_value()),
        any::<bool>(),
    )
        .prop_map(move |(data, step, steps, with_id)| {
            let mut body = json!({ "projectData": data });
            if with_id {
                body["sessionId"] = json!(id);
            }
            if let Some(step) = step {
                body["currentStep"] = step;
            }
            if let Some(steps) = steps {
                body["completedSteps"] = steps;
            }
            body.to_string()
        })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        ..ProptestConfig::default()
    }
}

/// Sends `ev` and checks what every answer must be; returns the status.
async fn checked(store: &MemoryStore, ev: &Value) -> StatusCode {
    let reply = call(store, ev).await;
    assert!(!reply.status.is_server_error(), "{} for {ev}", reply.status);
    if reply.status.is_client_error() {
        assert!(
            reply.json["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            reply.json
        );
    }
    reply.status
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_as_an_update_body_get_an_answer_and_a_refusal_changes_nothing(bytes in prop::collection::vec(any::<u8>(), 0..512), base64 in any::<bool>()) {
        runtime().block_on(async {
            use base64::Engine as _;
            let store = Arc::new(MemoryStore::default());
            let id = create(&*store, None).await;
            let before = get(&*store, &id).await.json;
            let mut ev = event("update-session.json", Some(&id));
            ev["headers"].as_object_mut().unwrap().remove("if-match");
            if base64 {
                ev["isBase64Encoded"] = json!(true);
                ev["body"] = json!(base64::engine::general_purpose::STANDARD.encode(&bytes));
            } else {
                ev = with_body(ev, Some(&String::from_utf8_lossy(&bytes)));
            }
            if checked(&store, &ev).await != StatusCode::OK {
                assert_eq!(get(&*store, &id).await.json, before);
            }
        });
    }

    #[test]
    fn any_json_shaped_like_an_update_is_applied_whole_or_refused_whole(body in update_body("ID".into())) {
        runtime().block_on(async {
            let store = Arc::new(MemoryStore::default());
            let id = create(&*store, Some(r#"{"projectData":{"projectName":"Original"}}"#)).await;
            let before = get(&*store, &id).await.json;
            let ev = with_body(event("update-session-seed.json", Some(&id)), Some(&body.replace("\"ID\"", &format!("\"{id}\""))));
            let status = checked(&store, &ev).await;
            let after = get(&*store, &id).await.json;
            if status == StatusCode::OK {
                assert_eq!(after["version"], 2);
            } else {
                assert_eq!(after, before);
            }
        });
    }

    #[test]
    fn any_json_as_a_create_body_gets_201_or_a_4xx(body in json_value()) {
        runtime().block_on(async {
            let store = MemoryStore::default();
            let ev = with_body(event("create-session.json", None), Some(&body.to_string()));
            checked(&store, &ev).await;
        });
    }

    #[test]
    fn any_path_parameter_and_headers_get_an_answer(id in ".{0,80}", content_type in ".{0,40}", if_match in ".{0,20}") {
        runtime().block_on(async {
            let store = MemoryStore::default();
            for name in ["get-session.json", "update-session.json", "delete-session.json"] {
                let mut ev = event(name, None);
                ev["pathParameters"]["sessionId"] = json!(id);
                let ev = with_header(with_header(ev, "content-type", &content_type), "if-match", &if_match);
                // Header values a client cannot send are refused by the event parser, not us.
                if lambda_http::request::from_str(&ev.to_string()).is_ok() {
                    checked(&store, &ev).await;
                }
            }
        });
    }
}
