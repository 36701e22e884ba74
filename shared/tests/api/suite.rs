//! The API suite: the API's behaviour, written once and run against every store (`MemoryStore`,
//! fast and without AWS, and DynamoDB Local). A store turns it on with one line,
//! `store_suite!(make);` where `make` is an async fn of its module returning the store; the
//! tests are written inside the macro, so adding one is writing it there.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use lambda_http::http::StatusCode;
use project_session::domain::{ExpiryPolicy, Field, FieldValue, SessionId};
use project_session::Config;
use serde_json::{json, Value};

use crate::support::{call, call_with, config, event, get, time, with_body, with_header, Backend};

/// Expands to a module `suite` of `#[tokio::test]`s against the store `$make().await` returns.
macro_rules! store_suite {
    ($make:ident) => {
        mod suite {
            use std::sync::Arc;

            use chrono::{Duration, Utc};
            use lambda_http::http::StatusCode;
            use project_session::domain::{CreateToken, NewSession, SessionId};
            use project_session::handlers;
            use project_session::store::{StoreCreate, StoreError};
            use serde_json::{json, Value};

            use $crate::suite::{
                active_draft_ends_at_its_cap, conclusive_within_five_runs, create_with_key,
                update_extends_and_late_update_cannot_revive,
            };
            use $crate::support::{
                call, config, create, event, expired_session, get, put, request, time, with_body,
                with_header, Backend, Reply,
            };

            async fn new_store() -> Arc<impl Backend> {
                Arc::new(super::$make().await)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn create_returns_201_with_an_id_and_an_expiry_a_day_ahead() {
                let store = new_store().await;
                let before = Utc::now();
                let reply = call(&*store, &event("create-session.json", None)).await;
                assert_eq!(reply.status, StatusCode::CREATED);
                let id = reply.json["sessionId"].as_str().unwrap();
                assert!(
                    SessionId::parse(id).is_some(),
                    "{id} is a canonical UUID v4"
                );
                let expires = time(&reply.json["expiresAt"]);
                assert!(reply.json["expiresAt"].as_str().unwrap().ends_with('Z'));
                let day = Duration::seconds(86_400);
                assert!(
                    expires > before + day - Duration::seconds(2) && expires <= Utc::now() + day
                );
                assert_eq!(reply.headers["etag"], "\"1\"");
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn create_with_an_empty_body_starts_an_empty_draft_at_step_one() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let reply = get(&*store, &id).await;
                assert_eq!(reply.status, StatusCode::OK);
                assert_eq!(reply.json["projectData"], json!({}));
                assert_eq!(reply.json["currentStep"], 1);
                assert_eq!(reply.json["completedSteps"], json!([]));
                assert_eq!(reply.json["version"], 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn get_returns_the_draft_as_created() {
                let store = new_store().await;
                let body = json!({
                    "projectData": {"projectName": "Riverside Clinic", "squareFootage": 1250.5, "numberOfFloors": 3, "priority": "high"},
                    "currentStep": 2,
                    "completedSteps": [1, 1],
                });
                let id = create(&*store, Some(&body.to_string())).await;
                let reply = get(&*store, &id).await;
                assert_eq!(reply.status, StatusCode::OK);
                let s = &reply.json;
                assert_eq!(s["sessionId"], id.as_str());
                assert_eq!(
                    s["projectData"],
                    json!({"projectName": "Riverside Clinic", "squareFootage": 1250.5, "numberOfFloors": 3, "priority": "high"})
                );
                assert_eq!(s["currentStep"], 2);
                assert_eq!(s["completedSteps"], json!([1]));
                assert_eq!(time(&s["createdAt"]), time(&s["lastActivity"]));
                assert!(time(&s["expiresAt"]) > time(&s["createdAt"]));
                assert_eq!(reply.headers["etag"], "\"1\"");
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn get_returns_404_for_a_session_that_never_existed() {
                let store = new_store().await;
                let reply = get(&*store, &SessionId::generate().to_string()).await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(reply.json, json!({"error": "Session not found"}));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn get_returns_404_for_an_expired_session_still_stored() {
                let store = new_store().await;
                let stale = expired_session();
                store.plant(stale.clone()).await;
                let reply = get(&*store, &stale.id.to_string()).await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(reply.json, json!({"error": "Session not found"}));
                assert!(
                    store.raw(stale.id).await.is_some(),
                    "the item is still in the table"
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn get_does_not_slide_the_expiry() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let first = get(&*store, &id).await;
                tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
                let second = get(&*store, &id).await;
                assert_eq!(first.json["expiresAt"], second.json["expiresAt"]);
                assert_eq!(first.json["lastActivity"], second.json["lastActivity"]);
                assert_eq!(second.json["version"], 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_merges_fields_and_slides_the_expiry() {
                let store = new_store().await;
                let id = create(
                    &*store,
                    Some(r#"{"projectData":{"projectName":"A","clientName":"B"}}"#),
                )
                .await;
                let before = get(&*store, &id).await;
                tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
                let reply = put(
                    &*store,
                    &id,
                    json!({"projectData": {"clientName": "C", "budget": 250000}, "currentStep": 3}),
                )
                .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                assert_eq!(reply.json["success"], true);
                assert_eq!(reply.json["version"], 2);
                assert_eq!(reply.headers["etag"], "\"2\"");
                let after = get(&*store, &id).await;
                assert_eq!(
                    after.json["projectData"],
                    json!({"projectName": "A", "clientName": "C", "budget": 250000})
                );
                assert_eq!(after.json["currentStep"], 3);
                assert_eq!(
                    after.json["completedSteps"],
                    json!([]),
                    "absent completedSteps are kept"
                );
                assert_eq!(after.json["expiresAt"], reply.json["expiresAt"]);
                assert!(time(&after.json["expiresAt"]) > time(&before.json["expiresAt"]));
                assert!(time(&after.json["lastActivity"]) > time(&before.json["lastActivity"]));
                assert_eq!(after.json["createdAt"], before.json["createdAt"]);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_without_an_id_in_the_path_takes_it_from_the_body() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let ev = event("update-session-seed.json", Some(&id));
                let reply = call(&*store, &ev).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                let after = get(&*store, &id).await;
                assert_eq!(after.json["projectData"]["projectName"], "Riverside Clinic");
                assert_eq!(after.json["completedSteps"], json!([1]));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_with_null_removes_the_field() {
                let store = new_store().await;
                let id = create(
                    &*store,
                    Some(r#"{"projectData":{"projectName":"A","budget":10}}"#),
                )
                .await;
                let reply = put(&*store, &id, json!({"projectData": {"budget": null}})).await;
                assert_eq!(reply.status, StatusCode::OK);
                assert_eq!(
                    get(&*store, &id).await.json["projectData"],
                    json!({"projectName": "A"})
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_stores_completed_steps_deduplicated_and_sorted() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                // The original design's hook sends `[...completedSteps, step]` on every save.
                put(
                    &*store,
                    &id,
                    json!({"currentStep": 2, "completedSteps": [1, 2, 1, 2, 2]}),
                )
                .await;
                assert_eq!(
                    get(&*store, &id).await.json["completedSteps"],
                    json!([1, 2])
                );
                put(&*store, &id, json!({"completedSteps": [3, 1, 2, 3]})).await;
                assert_eq!(
                    get(&*store, &id).await.json["completedSteps"],
                    json!([1, 2, 3])
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_returns_404_for_a_session_that_never_existed() {
                let store = new_store().await;
                let id = SessionId::generate();
                let reply = put(
                    &*store,
                    &id.to_string(),
                    json!({"projectData": {"projectName": "A"}}),
                )
                .await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(reply.json, json!({"error": "Session not found"}));
                assert!(
                    store.raw(id).await.is_none(),
                    "an update never creates a half session"
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_cannot_revive_an_expired_session() {
                let store = new_store().await;
                let stale = expired_session();
                store.plant(stale.clone()).await;
                let reply = put(
                    &*store,
                    &stale.id.to_string(),
                    json!({"projectData": {"projectName": "New"}}),
                )
                .await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(
                    store.raw(stale.id).await,
                    Some(stale),
                    "the stored item is untouched"
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_with_a_stale_if_match_is_412_and_changes_nothing() {
                let store = new_store().await;
                let id = create(&*store, Some(r#"{"projectData":{"projectName":"A"}}"#)).await;
                put(&*store, &id, json!({"projectData": {"projectName": "B"}})).await;
                // The fixture sends If-Match "1"; the draft is at version 2 now.
                let reply = call(&*store, &event("update-session.json", Some(&id))).await;
                assert_eq!(reply.status, StatusCode::PRECONDITION_FAILED);
                assert_eq!(reply.json["currentVersion"], 2);
                assert_eq!(reply.headers["etag"], "\"2\"");
                let after = get(&*store, &id).await;
                assert_eq!(after.json["projectData"], json!({"projectName": "B"}));
                assert_eq!(after.json["version"], 2);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_if_match_and_an_expected_version_that_disagree_get_412() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                // The fixture's If-Match is "1", the body asks for version 2: both cannot hold.
                let body = json!({"projectData": {"projectName": "Never"}, "expectedVersion": 2})
                    .to_string();
                let reply = call(
                    &*store,
                    &with_body(event("update-session.json", Some(&id)), Some(&body)),
                )
                .await;
                assert_eq!(
                    reply.status,
                    StatusCode::PRECONDITION_FAILED,
                    "{}",
                    reply.json
                );
                assert_eq!(reply.json["currentVersion"], 1);
                let body =
                    json!({"projectData": {"projectName": "Agreed"}, "expectedVersion": 1.0})
                        .to_string();
                let reply = call(
                    &*store,
                    &with_body(event("update-session.json", Some(&id)), Some(&body)),
                )
                .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                assert_eq!(
                    get(&*store, &id).await.json["projectData"],
                    json!({"projectName": "Agreed"})
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn if_match_compares_strongly_and_any_tag_of_a_list_may_match() {
                let store = new_store().await;
                let id = create(&*store, Some(r#"{"projectData":{"projectName":"A"}}"#)).await;
                let put_if = |if_match: &str, body: Value| {
                    with_header(
                        with_body(
                            event("update-session.json", Some(&id)),
                            Some(&body.to_string()),
                        ),
                        "if-match",
                        if_match,
                    )
                };
                let never = json!({"projectData": {"projectName": "Never"}});
                // Weak, unknown, zero-padded, and a list none of whose tags is current.
                for stale in ["W/\"1\"", "\"abc\"", "\"0\"", "\"01\"", "\"2\", W/\"1\""] {
                    let reply = call(&*store, &put_if(stale, never.clone())).await;
                    assert_eq!(
                        (reply.status, reply.json["currentVersion"].clone()),
                        (StatusCode::PRECONDITION_FAILED, json!(1)),
                        "{stale}: {}",
                        reply.json
                    );
                }
                let listed = json!({"projectData": {"projectName": "B"}});
                let reply = call(&*store, &put_if("\"7\", \"1\"", listed)).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                let any = json!({"projectData": {"projectName": "C"}});
                let reply = call(&*store, &put_if("*", any)).await;
                assert_eq!(reply.json["version"], 3, "* matches any live draft");
                // With expectedVersion, both must hold.
                let both = json!({"projectData": {"projectName": "Never"}, "expectedVersion": 9});
                let reply = call(&*store, &put_if("\"3\", \"9\"", both)).await;
                assert_eq!(reply.status, StatusCode::PRECONDITION_FAILED);
                let after = get(&*store, &id).await;
                assert_eq!(after.json["projectData"], json!({"projectName": "C"}));
                assert_eq!(after.json["version"], 3);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_stored_expiry_never_passes_the_cap() {
                // The TTL attribute is when DynamoDB deletes the item: a draft that ended at its
                // cap must not be kept a day longer.
                let store = new_store().await;
                let config = project_session::Config {
                    policy: project_session::domain::ExpiryPolicy::new(
                        Duration::seconds(3600),
                        Duration::seconds(600),
                    ),
                    ..config()
                };
                let created =
                    $crate::support::call_with(&*store, &event("create-session.json", None), &config)
                        .await;
                let id = created.json["sessionId"].as_str().unwrap().to_string();
                let stored = store.raw(SessionId::parse(&id).unwrap()).await.unwrap();
                assert_eq!(stored.expires_at, stored.max_expires_at);
                let body = json!({"sessionId": id, "projectData": {"clientName": "Ada"}});
                let update = with_body(
                    event("update-session-seed.json", Some(&id)),
                    Some(&body.to_string()),
                );
                let saved = $crate::support::call_with(&*store, &update, &config).await;
                assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
                let stored = store.raw(SessionId::parse(&id).unwrap()).await.unwrap();
                assert_eq!(stored.expires_at, stored.max_expires_at, "the update kept the cap");
                assert_eq!(time(&saved.json["expiresAt"]), stored.max_expires_at);
                assert_eq!(stored.version, 2);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn update_with_the_current_if_match_succeeds() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let reply = call(&*store, &event("update-session.json", Some(&id))).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                assert_eq!(reply.json["version"], 2);
                let after = get(&*store, &id).await;
                assert_eq!(
                    after.json["projectData"],
                    json!({"squareFootage": 12500, "priority": "high"})
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn delete_clears_the_draft() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let reply = call(&*store, &event("delete-session.json", Some(&id))).await;
                assert_eq!(reply.status, StatusCode::OK);
                assert_eq!(reply.json, json!({"success": true}));
                assert_eq!(get(&*store, &id).await.status, StatusCode::NOT_FOUND);
                let again = call(&*store, &event("delete-session.json", Some(&id))).await;
                assert_eq!(again.status, StatusCode::NOT_FOUND);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn delete_returns_404_for_unknown_and_expired_sessions() {
                let store = new_store().await;
                let unknown = SessionId::generate().to_string();
                let reply = call(&*store, &event("delete-session.json", Some(&unknown))).await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(reply.json, json!({"error": "Session not found"}));
                let stale = expired_session();
                store.plant(stale.clone()).await;
                let reply = call(
                    &*store,
                    &event("delete-session.json", Some(&stale.id.to_string())),
                )
                .await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND);
                assert_eq!(reply.json, json!({"error": "Session not found"}));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_updates_of_every_field_all_survive() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let values = [
                    ("projectName", json!("Riverside Clinic")),
                    ("projectDescription", json!("Two-storey outpatient clinic")),
                    ("buildingType", json!("healthcare")),
                    ("squareFootage", json!(12500)),
                    ("numberOfFloors", json!(2)),
                    ("numberOfZones", json!(8)),
                    ("clientName", json!("Ada Lovelace")),
                    ("clientEmail", json!("ada@example.com")),
                    ("clientPhone", json!("+44 20 7946 0000")),
                    ("projectLocation", json!("Leeds")),
                    ("estimatedStartDate", json!("2027-03-01")),
                    ("estimatedEndDate", json!("2028-01-31")),
                    ("budget", json!(4200000.5)),
                    ("priority", json!("medium")),
                ];
                let mut tasks = tokio::task::JoinSet::new();
                for (field, value) in values.clone() {
                    let (store, id) = (store.clone(), id.clone());
                    tasks.spawn(async move {
                        put(&*store, &id, json!({"projectData": {field: value}})).await
                    });
                }
                while let Some(reply) = tasks.join_next().await {
                    assert_eq!(reply.expect("no panic").status, StatusCode::OK);
                }
                let after = get(&*store, &id).await;
                let expected: serde_json::Map<String, Value> = values
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                assert_eq!(after.json["projectData"], Value::Object(expected));
                assert_eq!(after.json["version"], 15);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bad_input_gets_a_clear_4xx_and_leaves_the_draft_unchanged() {
                let store = new_store().await;
                let id = create(
                    &*store,
                    Some(r#"{"projectData":{"projectName":"Keep me"},"currentStep":2}"#),
                )
                .await;
                let original = get(&*store, &id).await.json;
                let update = |body: &str| {
                    with_body(event("update-session-seed.json", Some(&id)), Some(body))
                };
                let big = format!(
                    r#"{{"sessionId":"{id}","projectData":{{"projectDescription":"{}"}}}}"#,
                    "x".repeat(70_000)
                );
                let mut cases: Vec<(&str, Value, StatusCode, Value)> = vec![
                    (
                        "malformed JSON",
                        update(r#"{"sessionId": "#),
                        StatusCode::BAD_REQUEST,
                        json!(null),
                    ),
                    (
                        "an array body",
                        update("[1,2]"),
                        StatusCode::BAD_REQUEST,
                        json!(null),
                    ),
                    (
                        "a wrong type",
                        update(
                            &json!({"sessionId": id, "projectData": {"squareFootage": "big"}})
                                .to_string(),
                        ),
                        StatusCode::BAD_REQUEST,
                        json!({"projectData.squareFootage": "must be a number"}),
                    ),
                    (
                        "an unknown field",
                        update(
                            &json!({"sessionId": id, "projectData": {"colour": "red"}}).to_string(),
                        ),
                        StatusCode::BAD_REQUEST,
                        json!({"projectData.colour": "unknown field"}),
                    ),
                    (
                        "an unknown top-level field",
                        update(&json!({"sessionId": id, "draft": true}).to_string()),
                        StatusCode::BAD_REQUEST,
                        json!({"draft": "unknown field"}),
                    ),
                    (
                        "a step out of range",
                        update(&json!({"sessionId": id, "currentStep": 5}).to_string()),
                        StatusCode::BAD_REQUEST,
                        json!({"currentStep": "must be a whole number from 1 to 4"}),
                    ),
                    (
                        "a completed step out of range",
                        update(&json!({"sessionId": id, "completedSteps": [1, 0]}).to_string()),
                        StatusCode::BAD_REQUEST,
                        json!({"completedSteps": "must be an array of steps from 1 to 4"}),
                    ),
                    (
                        "a negative number",
                        update(
                            &json!({"sessionId": id, "projectData": {"budget": -5}}).to_string(),
                        ),
                        StatusCode::BAD_REQUEST,
                        json!({"projectData.budget": "must be 0 or from 0.000001 to 1000000000000000"}),
                    ),
                    (
                        "a duplicate key",
                        update(&format!(
                            r#"{{"sessionId":"{id}","projectData":{{"projectName":"A","projectName":"B"}}}}"#
                        )),
                        StatusCode::BAD_REQUEST,
                        json!({"projectData.projectName": "duplicate field"}),
                    ),
                    (
                        "an uppercase session id",
                        update(&json!({"sessionId": id.to_uppercase()}).to_string()),
                        StatusCode::BAD_REQUEST,
                        json!({"sessionId": "must be a UUID v4 in canonical form (lowercase, hyphenated)"}),
                    ),
                    (
                        "a body over the limit",
                        update(&big),
                        StatusCode::PAYLOAD_TOO_LARGE,
                        json!(null),
                    ),
                    (
                        "a wrong content type",
                        with_header(
                            update(&json!({"sessionId": id}).to_string()),
                            "content-type",
                            "text/plain",
                        ),
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        json!(null),
                    ),
                    (
                        "a path id that differs from the body's",
                        with_body(
                            event(
                                "update-session.json",
                                Some(&SessionId::generate().to_string()),
                            ),
                            Some(
                                &json!({"sessionId": id, "projectData": {"projectName": "X"}})
                                    .to_string(),
                            ),
                        ),
                        StatusCode::BAD_REQUEST,
                        json!({"sessionId": "does not match the session id in the path"}),
                    ),
                ];
                // Not an entity-tag list at all; well-formed tags that are not versions get 412.
                for bad in ["3", "W/3", "\"3", "\"a b\"", "\"3\" \"4\"", ", ,"] {
                    let ev = with_header(
                        update(&json!({"sessionId": id}).to_string()),
                        "if-match",
                        bad,
                    );
                    cases.push((
                        "a malformed If-Match",
                        ev,
                        StatusCode::BAD_REQUEST,
                        json!({"If-Match": "must be * or a list of entity-tags, e.g. \"3\""}),
                    ));
                }
                for (what, ev, status, details) in cases {
                    let reply = call(&*store, &ev).await;
                    assert_eq!(reply.status, status, "{what}: {}", reply.json);
                    let message = reply.json["error"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{what}: no error message"));
                    assert!(
                        !message.is_empty() && !message.contains("Keep me"),
                        "{what}: {message}"
                    );
                    if !details.is_null() {
                        assert_eq!(reply.json["details"], details, "{what}");
                    }
                    assert_eq!(
                        get(&*store, &id).await.json,
                        original,
                        "{what} changed the draft"
                    );
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn non_canonical_ids_in_the_path_are_400_on_every_verb() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let spellings = [
                    id.to_uppercase(),
                    format!("{{{id}}}"),
                    format!("urn:uuid:{id}"),
                    id.replace('-', ""),
                    "not-a-uuid".to_string(),
                    "..%2F..%2Fetc".to_string(),
                ];
                for spelling in spellings {
                    for name in [
                        "get-session.json",
                        "update-session.json",
                        "delete-session.json",
                    ] {
                        let mut ev = event(name, None);
                        ev["pathParameters"]["sessionId"] = json!(spelling);
                        let reply = call(&*store, &ev).await;
                        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name} {spelling}");
                        assert_eq!(
                            reply.json["details"]["sessionId"],
                            "must be a UUID v4 in canonical form (lowercase, hyphenated)"
                        );
                    }
                }
                assert_eq!(get(&*store, &id).await.status, StatusCode::OK);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn parallel_writers_with_if_match_get_exactly_one_winner_per_version() {
                let store = new_store().await;
                const WRITERS: usize = 8;
                let id = create(&*store, None).await;
                let mut tasks = tokio::task::JoinSet::new();
                for writer in 0..WRITERS {
                    let (store, id) = (store.clone(), id.clone());
                    tasks.spawn(async move {
                        // Each writer saves the same field, retrying with the version a 412
                        // reports.
                        let mut expected = 1;
                        let mut conflicts = 0;
                        loop {
                            let body =
                                json!({"projectData": {"projectName": format!("writer {writer}")}})
                                    .to_string();
                            let ev = with_header(
                                with_body(event("update-session.json", Some(&id)), Some(&body)),
                                "if-match",
                                &format!("\"{expected}\""),
                            );
                            let reply = call(&*store, &ev).await;
                            match reply.status {
                                StatusCode::OK => {
                                    return (reply.json["version"].as_u64().unwrap(), conflicts)
                                }
                                StatusCode::PRECONDITION_FAILED => {
                                    expected = reply.json["currentVersion"].as_u64().unwrap();
                                    conflicts += 1;
                                }
                                other => panic!("writer {writer}: {other} {}", reply.json),
                            }
                        }
                    });
                }
                let mut won = Vec::new();
                let mut conflicts = 0;
                while let Some(result) = tasks.join_next().await {
                    let (version, lost) = result.expect("no panic");
                    won.push(version);
                    conflicts += lost;
                }
                won.sort_unstable();
                let expected: Vec<u64> = (2..=WRITERS as u64 + 1).collect();
                assert_eq!(won, expected, "each version has exactly one winner");
                assert!(
                    conflicts >= WRITERS - 1,
                    "the first round alone has {} losers",
                    WRITERS - 1
                );
                assert_eq!(get(&*store, &id).await.json["version"], WRITERS as u64 + 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_delete_racing_an_update_never_leaves_half_a_draft() {
                let store = new_store().await;
                for _ in 0..10 {
                    let id =
                        create(&*store, Some(r#"{"projectData":{"projectName":"Race"}}"#)).await;
                    let (s1, s2, i1, i2) = (store.clone(), store.clone(), id.clone(), id.clone());
                    let update = tokio::spawn(async move {
                        put(&*s1, &i1, json!({"projectData": {"clientName": "Late"}})).await
                    });
                    let delete = tokio::spawn(async move {
                        call(&*s2, &event("delete-session.json", Some(&i2))).await
                    });
                    let (update, delete) = (update.await.unwrap(), delete.await.unwrap());
                    assert_eq!(delete.status, StatusCode::OK);
                    assert!(
                        matches!(update.status, StatusCode::OK | StatusCode::NOT_FOUND),
                        "{}",
                        update.json
                    );
                    // Whatever the order, the draft is gone: an update after the delete did
                    // not recreate it.
                    assert_eq!(store.raw(SessionId::parse(&id).unwrap()).await, None);
                    assert_eq!(get(&*store, &id).await.status, StatusCode::NOT_FOUND);
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_base64_body_is_decoded_and_checked_like_any_other() {
                use base64::Engine as _;
                let store = new_store().await;
                let id = create(&*store, None).await;
                let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
                let mut ev = event("update-session-seed.json", Some(&id));
                ev["isBase64Encoded"] = json!(true);
                ev["body"] = json!(encode(
                    json!({"sessionId": id, "projectData": {"projectName": "Zoë"}})
                        .to_string()
                        .as_bytes()
                ));
                let reply = call(&*store, &ev).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
                assert_eq!(
                    get(&*store, &id).await.json["projectData"]["projectName"],
                    "Zoë"
                );
                ev["body"] = json!(encode(b"{\"sessionId\": \"\xff\xfe\"}"));
                let reply = call(&*store, &ev).await;
                assert_eq!(reply.status, StatusCode::BAD_REQUEST);
                assert_eq!(reply.json["error"], "the body is not valid UTF-8");
                assert_eq!(get(&*store, &id).await.json["version"], 2);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_method_the_route_does_not_take_gets_405() {
                let store = new_store().await;
                let id = create(&*store, None).await;
                let mut ev = event("get-session.json", Some(&id));
                ev["requestContext"]["http"]["method"] = json!("PATCH");
                let reply = Reply::from(handlers::get_session(store.store(), &config(), request(&ev)).await);
                assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
                assert_eq!(reply.headers["allow"], "GET");
                assert_eq!(reply.json, json!({"error": "Method not allowed"}));
                let mut ev = event("update-session.json", Some(&id));
                ev["requestContext"]["http"]["method"] = json!("POST");
                let reply =
                    Reply::from(handlers::update_session(store.store(), &config(), request(&ev)).await);
                assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
                assert_eq!(reply.headers["allow"], "PUT");
                assert_eq!(get(&*store, &id).await.json["version"], 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_update_before_expiry_extends_it_and_one_after_cannot_revive_it() {
                let store = new_store().await;
                conclusive_within_five_runs(|| {
                    update_extends_and_late_update_cannot_revive(&*store)
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_active_draft_still_ends_at_its_absolute_lifetime() {
                let store = new_store().await;
                conclusive_within_five_runs(|| active_draft_ends_at_its_cap(&*store)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_create_repeated_with_its_idempotency_key_answers_with_the_same_draft() {
                let store = new_store().await;
                let key = SessionId::generate().to_string();
                let body = r#"{"projectData":{"projectName":"Sent twice"}}"#;
                let first = call(&*store, &create_with_key(&key, body)).await;
                assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
                let repeat = call(&*store, &create_with_key(&format!("\"{key}\""), body)).await;
                assert_eq!(repeat.status, StatusCode::CREATED, "{}", repeat.json);
                assert_eq!(repeat.json, first.json, "the same draft, the same expiry");
                assert_eq!(repeat.headers["etag"], "\"1\"");
                let id = first.json["sessionId"].as_str().unwrap();
                let draft = get(&*store, id).await;
                assert_eq!(
                    draft.json["projectData"],
                    json!({"projectName": "Sent twice"})
                );
                assert_eq!(draft.json["version"], 1);
                let other = call(
                    &*store,
                    &create_with_key(&SessionId::generate().to_string(), body),
                )
                .await;
                assert_ne!(
                    other.json["sessionId"], first.json["sessionId"],
                    "another key, another draft"
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_create_repeated_after_its_draft_was_deleted_does_not_bring_it_back() {
                let store = new_store().await;
                let key = SessionId::generate().to_string();
                let body = r#"{"projectData":{"clientName":"Submitted"}}"#;
                let first = call(&*store, &create_with_key(&key, body)).await;
                let id = first.json["sessionId"].as_str().unwrap().to_string();
                let deleted = call(&*store, &event("delete-session.json", Some(&id))).await;
                assert_eq!(deleted.status, StatusCode::OK);
                let repeat = call(&*store, &create_with_key(&key, body)).await;
                assert_eq!(
                    repeat.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the key is spent: {}",
                    repeat.json
                );
                assert_eq!(
                    get(&*store, &id).await.status,
                    StatusCode::NOT_FOUND,
                    "the submitted draft stays gone"
                );
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_idempotency_key_reused_with_another_body_gets_422_and_changes_nothing() {
                let store = new_store().await;
                let key = SessionId::generate().to_string();
                let first = call(
                    &*store,
                    &create_with_key(&key, r#"{"projectData":{"clientName":"Ada"}}"#),
                )
                .await;
                assert_eq!(first.status, StatusCode::CREATED);
                let reused = call(
                    &*store,
                    &create_with_key(&key, r#"{"projectData":{"clientName":"Eve"}}"#),
                )
                .await;
                assert_eq!(
                    reused.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}",
                    reused.json
                );
                assert_eq!(
                    reused.json,
                    json!({"error": "This Idempotency-Key was already used: make a new one for a new create"})
                );
                let draft = get(&*store, first.json["sessionId"].as_str().unwrap()).await;
                assert_eq!(draft.json["projectData"], json!({"clientName": "Ada"}));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_malformed_idempotency_key_gets_400_and_creates_nothing() {
                let store = new_store().await;
                // The nil UUID and a time-based one are UUIDs, but the draft's id comes from the
                // key: only a random (version 4) one is as hard to guess as a random id.
                let nil = "00000000-0000-0000-0000-000000000000";
                let time_based = "8e03978e-40d5-11e8-bc93-6894a57f9324";
                for bad in ["has space", "\"\"", &"k".repeat(256), nil, time_based] {
                    let reply = call(&*store, &create_with_key(bad, "{}")).await;
                    assert_eq!(
                        reply.status,
                        StatusCode::BAD_REQUEST,
                        "{bad:?}: {}",
                        reply.json
                    );
                    assert!(
                        reply.json["details"]["Idempotency-Key"].is_string(),
                        "{}",
                        reply.json
                    );
                }
            }

            /// An SDK retry of a create whose first attempt committed and lost its reply meets
            /// its own draft: the store tells it apart from a real clash by the create's token.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_create_that_meets_its_own_earlier_attempt_returns_that_draft() {
                let store = new_store().await;
                let session = NewSession::default().into_session(
                    SessionId::generate(),
                    Utc::now(),
                    &config().policy,
                );
                let token = CreateToken::random();
                let first = store.store().create(&session, &token).await.expect("created");
                let again = store.store().create(&session, &token).await.expect("its own draft");
                assert_eq!(again, first);
                assert!(matches!(
                    store.store().create(&session, &CreateToken::random()).await,
                    Err(StoreError::AlreadyExists)
                ));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn health_reports_a_reachable_store() {
                let store = new_store().await;
                let reply = call(&*store, &event("health.json", None)).await;
                assert_eq!(reply.status, StatusCode::OK);
                assert_eq!(
                    reply.json,
                    json!({"status": "healthy", "dynamodb": "connected"})
                );
            }
        }
    };
}

pub fn short_lived(idle: i64, max_lifetime: i64) -> Config {
    Config {
        policy: ExpiryPolicy::new(Duration::seconds(idle), Duration::seconds(max_lifetime)),
        ..config()
    }
}

pub async fn sleep_until(when: DateTime<Utc>) {
    if let Ok(wait) = (when - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
}

/// The expiry tests time every step from the expiries the API reports, and a reply received
/// before a moment was decided before it; so a slow machine can only leave a run unable to
/// tell (`None`), which is run again, never fail one.
pub async fn conclusive_within_five_runs<F: Future<Output = Option<()>>>(
    mut run: impl FnMut() -> F,
) {
    for _ in 0..5 {
        if run().await.is_some() {
            return;
        }
    }
    panic!("five runs in a row were too slow to tell the expiries apart");
}

pub async fn update_extends_and_late_update_cannot_revive<B: Backend>(store: &B) -> Option<()> {
    let config = short_lived(3, 3600);
    let created = call_with(store, &event("create-session.json", None), &config).await;
    let id = created.json["sessionId"].as_str().unwrap().to_string();
    let first_expiry = time(&created.json["expiresAt"]);
    let put = |value: &'static str| {
        let ev = event("update-session-seed.json", Some(&id));
        with_body(
            ev,
            Some(&json!({"sessionId": id, "projectData": {"projectName": value}}).to_string()),
        )
    };
    // Expiries are whole seconds: a save 1.2 s before the first moves it on by at least one.
    sleep_until(first_expiry - Duration::milliseconds(1200)).await;
    let saved = call_with(store, &put("Saved in time"), &config).await;
    if saved.status == StatusCode::NOT_FOUND && Utc::now() >= first_expiry {
        return None;
    }
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    let second_expiry = time(&saved.json["expiresAt"]);
    assert!(
        second_expiry > first_expiry,
        "the update extended the draft"
    );
    sleep_until(first_expiry + Duration::milliseconds(200)).await;
    let alive = get(store, &id).await;
    if Utc::now() >= second_expiry {
        return None;
    }
    assert_eq!(
        alive.status,
        StatusCode::OK,
        "alive past the first expiry, before the extended one"
    );
    assert_eq!(alive.json["projectData"]["projectName"], "Saved in time");
    sleep_until(second_expiry + Duration::milliseconds(50)).await;
    assert_eq!(get(store, &id).await.status, StatusCode::NOT_FOUND);
    let late = call_with(store, &put("Too late"), &config).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    let delete = call(store, &event("delete-session.json", Some(&id))).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    let raw = store
        .raw(SessionId::parse(&id).unwrap())
        .await
        .expect("still stored until the TTL sweep");
    assert_eq!(
        raw.project_data[&Field::ProjectName],
        FieldValue::Text("Saved in time".into())
    );
    Some(())
}

pub async fn active_draft_ends_at_its_cap<B: Backend>(store: &B) -> Option<()> {
    let config = short_lived(3600, 2);
    let created = call_with(store, &event("create-session.json", None), &config).await;
    let id = created.json["sessionId"].as_str().unwrap().to_string();
    let cap = time(&created.json["expiresAt"]);
    assert!(
        cap <= Utc::now() + Duration::seconds(2),
        "the answer gives the cap, not the idle expiry"
    );
    let body = json!({"sessionId": id, "projectData": {"clientName": "Active"}}).to_string();
    let update = with_body(event("update-session-seed.json", Some(&id)), Some(&body));
    sleep_until(cap - Duration::milliseconds(800)).await;
    let saved = call_with(store, &update, &config).await;
    if saved.status == StatusCode::NOT_FOUND && Utc::now() >= cap {
        return None;
    }
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(
        time(&saved.json["expiresAt"]),
        cap,
        "writes do not move the cap"
    );
    sleep_until(cap + Duration::milliseconds(50)).await;
    assert_eq!(
        call_with(store, &update, &config).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(store, &id).await.status, StatusCode::NOT_FOUND);
    Some(())
}

pub fn create_with_key(key: &str, body: &str) -> Value {
    with_header(
        with_body(event("create-session.json", None), Some(body)),
        "idempotency-key",
        key,
    )
}
