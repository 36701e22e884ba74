//! Exactly once when the SDK retries, on a real socket: a proxy between the store and DynamoDB
//! Local lets a write commit and loses its reply (or holds a request past the draft's expiry),
//! and each verb must answer with what really happened.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use lambda_http::http::StatusCode;
use project_session::domain::SessionId;
use project_session::dynamodb::{client_from_env, DynamoProxy, Fault};
use project_session::DynamoStore;
use serde_json::json;

use crate::suite::{conclusive_within_five_runs, short_lived, sleep_until};
use crate::support::{call, call_with, create, event, get, put, raw_item, require, time};

/// The API suite's table (no TTL sweep) through a proxy, with the production retry settings.
async fn through_proxy() -> (DynamoStore, DynamoProxy) {
    let proxy = DynamoProxy::start(&require("AWS_ENDPOINT_URL_DYNAMODB"))
        .await
        .expect("the proxy starts");
    let client = client_from_env(3);
    let client_config = client
        .config()
        .to_builder()
        .endpoint_url(proxy.url())
        .build();
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(client_config),
        require("LAGGING_TABLE_NAME"),
    );
    (store, proxy)
}

#[tokio::test]
async fn a_create_whose_reply_is_lost_is_answered_by_its_retry_without_a_second_draft() {
    let (store, proxy) = through_proxy().await;
    proxy.fault_next("PutItem", Fault::CommitThenDropReply);
    let body = r#"{"projectData":{"projectName":"Lost reply"}}"#;
    let reply = call(
        &store,
        &crate::support::with_body(event("create-session.json", None), Some(body)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    assert_eq!(
        proxy.take_counts()["PutItem"],
        2,
        "the reply was lost and the SDK retried"
    );
    let id = reply.json["sessionId"].as_str().unwrap();
    let draft = get(&store, id).await;
    assert_eq!(
        draft.json["projectData"],
        json!({"projectName": "Lost reply"})
    );
    assert_eq!(draft.json["version"], 1);
}

#[tokio::test]
async fn an_update_with_if_match_whose_reply_is_lost_reports_its_own_write_not_a_conflict() {
    let (store, proxy) = through_proxy().await;
    let id = create(&store, None).await;
    proxy.fault_next("UpdateItem", Fault::CommitThenDropReply);
    let update = crate::support::with_header(
        crate::support::with_body(
            event("update-session.json", Some(&id)),
            Some(&json!({"projectData": {"clientName": "Ada"}}).to_string()),
        ),
        "if-match",
        "\"1\"",
    );
    let reply = call(&store, &update).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["version"], 2);
    assert_eq!(proxy.take_counts()["UpdateItem"], 2);
    let draft = get(&store, &id).await;
    assert_eq!(draft.json["projectData"], json!({"clientName": "Ada"}));
    assert_eq!(draft.json["version"], 2, "applied once");
}

#[tokio::test]
async fn an_update_whose_reply_is_lost_is_applied_once() {
    let (store, proxy) = through_proxy().await;
    let id = create(&store, None).await;
    proxy.fault_next(
        "UpdateItem",
        // Past the SDK's 2 s attempt timeout: the attempt is given up, then retried.
        Fault::CommitThenDelayReply(StdDuration::from_millis(2500)),
    );
    let reply = put(&store, &id, json!({"projectData": {"budget": 250000}})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["version"], 2);
    assert_eq!(get(&store, &id).await.json["version"], 2);
}

#[tokio::test]
async fn a_delete_whose_reply_is_lost_reports_the_delete_it_made() {
    let (store, proxy) = through_proxy().await;
    let id = create(
        &store,
        Some(r#"{"projectData":{"clientEmail":"ada@example.com"}}"#),
    )
    .await;
    proxy.fault_next("UpdateItem", Fault::CommitThenDropReply);
    let reply = call(&store, &event("delete-session.json", Some(&id))).await;
    assert_eq!(
        (reply.status, reply.json.clone()),
        (StatusCode::OK, json!({"success": true}))
    );
    assert_eq!(proxy.take_counts()["UpdateItem"], 2);
    assert_eq!(get(&store, &id).await.status, StatusCode::NOT_FOUND);
    let left = raw_item(&store, SessionId::parse(&id).unwrap())
        .await
        .expect("a tombstone until the TTL sweep");
    assert_eq!(
        left["projectData"],
        aws_sdk_dynamodb::types::AttributeValue::M(Default::default()),
        "the draft's fields are gone at once"
    );
}

/// Owned mode: the delete moves the owner out of the index's key; its retry still recognises its
/// own write and answers 200, and the tombstone keeps whose it was.
#[tokio::test]
async fn an_owned_delete_whose_reply_is_lost_reports_the_delete_it_made_and_leaves_the_index() {
    let (store, proxy) = through_proxy().await;
    let sub = format!("ada-{}", uuid::Uuid::new_v4());
    let config = crate::support::owned_config();
    let signed = |ev| crate::support::signed_in(ev, &sub);
    let made = call_with(&store, &signed(event("create-session.json", None)), &config).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let id = made.json["sessionId"].as_str().unwrap().to_string();
    proxy.fault_next("UpdateItem", Fault::CommitThenDropReply);
    let reply = call_with(
        &store,
        &signed(event("delete-session.json", Some(&id))),
        &config,
    )
    .await;
    assert_eq!(
        (reply.status, reply.json.clone()),
        (StatusCode::OK, json!({"success": true}))
    );
    assert_eq!(proxy.take_counts()["UpdateItem"], 2);
    let left = raw_item(&store, SessionId::parse(&id).unwrap())
        .await
        .expect("a tombstone until the TTL sweep");
    assert!(!left.contains_key("owner"), "out of the owner's index");
    assert_eq!(
        left["deletedOwner"],
        aws_sdk_dynamodb::types::AttributeValue::S(sub.clone())
    );
}

/// A request held past the draft's expiry and then retried: the retry's condition must use
/// the time it is sent, or it revives the draft.
#[tokio::test]
async fn a_retry_sent_after_the_draft_expired_cannot_revive_it() {
    let (store, proxy) = through_proxy().await;
    conclusive_within_five_runs(|| late_retry_cannot_revive(&store, &proxy)).await;
}

async fn late_retry_cannot_revive(store: &DynamoStore, proxy: &DynamoProxy) -> Option<()> {
    let short = short_lived(3, 3600);
    let created = call_with(store, &event("create-session.json", None), &short).await;
    let id = created.json["sessionId"].as_str().unwrap().to_string();
    let expiry = time(&created.json["expiresAt"]);
    sleep_until(expiry - Duration::milliseconds(1000)).await;
    // Held until half a second past the expiry (inside the 2 s attempt timeout), dropped.
    proxy.fault_next(
        "UpdateItem",
        Fault::HoldThenDrop(StdDuration::from_millis(1500)),
    );
    let sent = Utc::now();
    let body = json!({"sessionId": id, "projectData": {"projectName": "Too late"}});
    let update = crate::support::with_body(
        event("update-session-seed.json", Some(&id)),
        Some(&body.to_string()),
    );
    let reply = call_with(store, &update, &short).await;
    if sent >= expiry - Duration::milliseconds(200) {
        return None; // sent too late to tell a stale condition from a fresh one
    }
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "the retry revived the draft: {}",
        reply.json
    );
    let item = raw_item(store, SessionId::parse(&id).unwrap())
        .await
        .expect("still stored, as the lagging sweep leaves it");
    assert_ne!(
        item["projectData"].as_m().unwrap().get("projectName"),
        Some(&aws_sdk_dynamodb::types::AttributeValue::S(
            "Too late".into()
        ))
    );
    Some(())
}
