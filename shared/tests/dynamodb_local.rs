//! The API suite against DynamoDB Local, plus what only a real DynamoDB shows: the item
//! layout, the table's TTL, the event fixtures and an unreachable endpoint.
//! `scripts/test.sh` starts DynamoDB Local and creates the table before these run.

mod suite;

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use lambda_http::http::StatusCode;
use project_session::domain::SessionId;
use project_session::dynamodb::{client_from_env, KEY_ATTRIBUTE, TTL_ATTRIBUTE};
use project_session::DynamoStore;
use serde_json::json;
use suite::{call, create, dynamodb, event, raw_item, require};

store_suite!(dynamodb);

#[tokio::test]
async fn the_table_expires_items_by_the_ttl_attribute_the_code_writes() {
    let store = dynamodb().await;
    let ttl = store
        .client()
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .expect("DescribeTimeToLive");
    let spec = ttl.time_to_live_description().expect("a TTL description");
    assert_eq!(spec.attribute_name(), Some(TTL_ATTRIBUTE));
    assert_eq!(spec.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn a_session_is_one_item_with_a_top_level_epoch_seconds_expiry() {
    let store = dynamodb().await;
    let id = create(&store, Some(r#"{"projectData":{"budget":1500.75}}"#)).await;
    let item = raw_item(&store, SessionId::parse(&id).unwrap())
        .await
        .expect("stored");
    assert_eq!(item[KEY_ATTRIBUTE], AttributeValue::S(id.clone()));
    let expires: i64 = item[TTL_ATTRIBUTE]
        .as_n()
        .expect("a Number")
        .parse()
        .expect("an integer");
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + 86_390..=now + 86_400).contains(&expires),
        "{expires} is epoch seconds a day ahead"
    );
    let data = item["projectData"].as_m().expect("a map");
    assert_eq!(data["budget"], AttributeValue::N("1500.75".into()));
}

#[tokio::test]
async fn every_event_fixture_runs_through_its_function_handler() {
    let store = dynamodb().await;
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../events")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        // Each fixture against a session of its own, at version 1 as the fixtures expect.
        let id = create(&store, None).await;
        let reply = call(&store, &event(&name, Some(&id))).await;
        let expected = match name.as_str() {
            "create-session.json" => StatusCode::CREATED,
            "get-session.json"
            | "update-session.json"
            | "update-session-seed.json"
            | "delete-session.json"
            | "health.json" => StatusCode::OK,
            other => panic!("{other} has no expectation here: add one"),
        };
        assert_eq!(reply.status, expected, "{name}: {}", reply.json);
        seen.push(name);
    }
    assert_eq!(seen.len(), 6, "{seen:?}");
}

/// A closed port: the connection is refused, as when DynamoDB is unreachable.
async fn unreachable_store() -> DynamoStore {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = client_from_env(1).await;
    let config = client
        .config()
        .to_builder()
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .build();
    DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        require("TABLE_NAME"),
    )
}

#[tokio::test]
async fn an_unreachable_dynamodb_gives_503_with_retry_after_on_every_verb() {
    let store = unreachable_store().await;
    let id = SessionId::generate().to_string();
    let update = event("update-session-seed.json", Some(&id));
    for ev in [
        event("create-session.json", None),
        event("get-session.json", Some(&id)),
        update,
        event("delete-session.json", Some(&id)),
    ] {
        let reply = call(&store, &ev).await;
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            ev["routeKey"]
        );
        assert_eq!(reply.headers["retry-after"], "1");
        assert_eq!(
            reply.json,
            json!({"error": "The session store is unavailable, try again shortly"})
        );
    }
    let health = call(&store, &event("health.json", None)).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        health.json,
        json!({"status": "unhealthy", "dynamodb": "disconnected"})
    );
}
