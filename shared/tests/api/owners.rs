//! Owned mode (`AUTH_MODE=jwt`) across owners, against both stores: a draft is its owner's
//! alone, on every verb, and a request API Gateway did not authorize reaches nothing.

use lambda_http::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    call_with, config, event, owned_config, signed_in, with_body, with_header, Backend,
};

/// Someone of this test run's own: drafts stay in the table for a day and count to the cap.
fn person(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::new_v4())
}

async fn as_owner<B: Backend>(store: &B, sub: &str, ev: Value) -> crate::support::Reply {
    call_with(store, &signed_in(ev, sub), &owned_config()).await
}

async fn created<B: Backend>(store: &B, sub: &str, body: &str) -> String {
    let reply = as_owner(
        store,
        sub,
        with_body(event("create-session.json", None), Some(body)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json["sessionId"].as_str().unwrap().to_string()
}

fn update(id: &str, body: Value) -> Value {
    let ev = with_body(
        event("update-session.json", Some(id)),
        Some(&body.to_string()),
    );
    with_header(ev, "if-match", "*")
}

async fn another_owners_draft_answers_404_on_every_verb<B: Backend>(store: &B) {
    let (ada, bob) = (person("ada"), person("bob"));
    let (ada, bob) = (ada.as_str(), bob.as_str());
    let id = created(store, ada, r#"{"projectData":{"projectName":"Ada's"}}"#).await;
    for (name, ev) in [
        ("get", event("get-session.json", Some(&id))),
        (
            "update",
            update(&id, json!({ "projectData": { "projectName": "Bob's" } })),
        ),
        ("delete", event("delete-session.json", Some(&id))),
    ] {
        let reply = as_owner(store, bob, ev).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{name}: {}",
            reply.json
        );
        assert_eq!(
            reply.json,
            json!({ "error": "Session not found" }),
            "{name}"
        );
        assert!(
            reply.headers.get("etag").is_none(),
            "{name} tells no version"
        );
    }
    // Nor anonymous mode, on a stack switched back to it.
    let reply = call_with(store, &event("get-session.json", Some(&id)), &config()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = as_owner(store, ada, event("get-session.json", Some(&id))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["projectData"], json!({ "projectName": "Ada's" }));
    assert_eq!(reply.json["version"], 1, "nothing Bob sent changed it");
}

async fn a_request_without_verified_claims_reaches_nothing<B: Backend>(store: &B) {
    let ada = person("ada");
    let ada = ada.as_str();
    let id = created(store, ada, "{}").await;
    for (name, ev) in [
        ("create", event("create-session.json", None)),
        ("get", event("get-session.json", Some(&id))),
        (
            "update",
            update(&id, json!({ "projectData": { "projectName": "x" } })),
        ),
        ("delete", event("delete-session.json", Some(&id))),
    ] {
        // A bearer token in a header is not a verified caller: only the authorizer's claims are.
        let ev = with_header(
            ev,
            "authorization",
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEtc3ViIn0.",
        );
        let reply = call_with(store, &ev, &owned_config()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{name}: {}",
            reply.json
        );
    }
    let reply = as_owner(store, ada, event("get-session.json", Some(&id))).await;
    assert_eq!(reply.json["version"], 1);
}

async fn one_idempotency_key_from_two_owners_makes_two_drafts<B: Backend>(store: &B) {
    let (ada, bob) = (person("ada"), person("bob"));
    let (ada, bob) = (ada.as_str(), bob.as_str());
    let key = uuid::Uuid::new_v4().to_string();
    let create = |sub: String| {
        let ev = with_header(
            with_body(event("create-session.json", None), Some("{}")),
            "idempotency-key",
            &key,
        );
        async move { as_owner(store, &sub, ev).await }
    };
    let ada = create(ada.to_string()).await;
    let bob = create(bob.to_string()).await;
    assert_eq!(
        (ada.status, bob.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_ne!(ada.json["sessionId"], bob.json["sessionId"]);
}

fn list(query: &str) -> Value {
    let mut ev = event("list-sessions.json", None);
    ev["rawQueryString"] = json!(query);
    let params: serde_json::Map<String, Value> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    ev["queryStringParameters"] = Value::Object(params);
    ev
}

async fn the_list_shows_only_the_callers_live_drafts_newest_first_a_page_at_a_time<B: Backend>(
    store: &B,
) {
    let (ada, bob) = (person("ada"), person("bob"));
    let (ada, bob) = (ada.as_str(), bob.as_str());
    let mut made = Vec::new();
    for name in ["first", "second", "third", "fourth", "fifth"] {
        made.push(
            created(
                store,
                ada,
                &json!({ "projectData": { "projectName": name } }).to_string(),
            )
            .await,
        );
        // Distinct creation instants: the list is ordered by them.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    created(store, bob, r#"{"projectData":{"projectName":"Bob's"}}"#).await;
    // One deleted: it is gone from the list at once.
    let gone = as_owner(store, ada, event("delete-session.json", Some(&made[1]))).await;
    assert_eq!(gone.status, StatusCode::OK);

    let mut seen = Vec::new();
    let mut query = "limit=2".to_string();
    for _ in 0..10 {
        let reply = as_owner(store, ada, list(&query)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        for draft in reply.json["drafts"].as_array().unwrap() {
            assert_eq!(draft["currentStep"], 1);
            assert!(draft["lastActivity"].is_string() && draft["expiresAt"].is_string());
            seen.push(draft["projectName"].as_str().unwrap().to_string());
        }
        match reply.json["nextPageToken"].as_str() {
            Some(token) => query = format!("limit=2&pageToken={token}"),
            None => break,
        }
    }
    assert_eq!(seen, ["fifth", "fourth", "third", "first"]);
}

async fn the_list_refuses_what_it_cannot_read_and_is_not_there_in_anonymous_mode<B: Backend>(
    store: &B,
) {
    let ada = person("ada");
    let ada = ada.as_str();
    for query in [
        "limit=0",
        "limit=51",
        "limit=ten",
        "pageToken=abc",
        "pageToken=12.not-an-id",
    ] {
        let reply = as_owner(store, ada, list(query)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.json
        );
    }
    let mut unsigned = list("");
    unsigned["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    let reply = call_with(store, &unsigned, &owned_config()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = call_with(store, &list(""), &config()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

async fn the_per_owner_cap_refuses_one_draft_too_many_but_never_a_repeat<B: Backend>(store: &B) {
    let bob = person("bob");
    let bob = bob.as_str();
    let owner = format!("capped-{}", uuid::Uuid::new_v4());
    let config = project_session::Config {
        max_drafts_per_owner: 3,
        ..owned_config()
    };
    let create = |key: String| {
        let ev = with_header(
            with_body(event("create-session.json", None), Some("{}")),
            "idempotency-key",
            &key,
        );
        let ev = signed_in(ev, &owner);
        let config = config.clone();
        async move { call_with(store, &ev, &config).await }
    };
    let keys: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut ids = Vec::new();
    for key in &keys {
        let reply = create(key.clone()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        ids.push(reply.json["sessionId"].clone());
    }
    let refused = create(uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["maxDrafts"], 3);
    // A retry of a create that made one of the three answers with its draft.
    let repeat = create(keys[2].clone()).await;
    assert_eq!(repeat.status, StatusCode::CREATED, "{}", repeat.json);
    assert_eq!(repeat.json["sessionId"], ids[2]);
    // Another person is not held by this one's cap.
    let other = as_owner(
        store,
        bob,
        with_body(event("create-session.json", None), Some("{}")),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED);
    // One finished: room for one more.
    let id = ids[0].as_str().unwrap();
    let done = call_with(
        store,
        &signed_in(event("delete-session.json", Some(id)), &owner),
        &config,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        create(uuid::Uuid::new_v4().to_string()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        create(uuid::Uuid::new_v4().to_string()).await.status,
        StatusCode::CONFLICT
    );
}

macro_rules! for_each_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(&project_session::store::memory::MemoryStore::default()).await;
            })*
        }
        mod dynamodb_local {
            $(#[tokio::test]
            async fn $name() {
                super::$name(&crate::support::dynamodb().await).await;
            })*
        }
    };
}

for_each_store!(
    another_owners_draft_answers_404_on_every_verb,
    a_request_without_verified_claims_reaches_nothing,
    one_idempotency_key_from_two_owners_makes_two_drafts,
    the_list_shows_only_the_callers_live_drafts_newest_first_a_page_at_a_time,
    the_list_refuses_what_it_cannot_read_and_is_not_there_in_anonymous_mode,
    the_per_owner_cap_refuses_one_draft_too_many_but_never_a_repeat,
);

/// Real DynamoDB keeps a deleted draft's item until its TTL sweep, which may take days (the
/// lagging table has no sweep at all): a delete takes the draft out of its owner's index at
/// once, so counting toward the cap never reads deleted drafts, however many there were.
#[tokio::test]
async fn a_person_who_deleted_200_drafts_creates_with_one_query_and_one_put() {
    use project_session::dynamodb::{client_from_env, OperationLog};

    let table =
        std::env::var("LAGGING_TABLE_NAME").expect("LAGGING_TABLE_NAME: run with scripts/test.sh");
    let client = client_from_env(3);
    let log = OperationLog::default();
    let store = project_session::DynamoStore::new(log.attach(&client), &table);
    let ada = person("ada");
    for _ in 0..200 {
        let id = created(&store, &ada, "{}").await;
        let done = as_owner(&store, &ada, event("delete-session.json", Some(&id))).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    }
    log.take();
    let id = created(
        &store,
        &ada,
        r#"{"projectData":{"projectName":"The 201st"}}"#,
    )
    .await;
    assert_eq!(log.take(), ["Query", "PutItem"]);

    let ids: Vec<String> = index_entries(&client, &table, &ada)
        .await
        .iter()
        .filter_map(|item| item.get("sessionId")?.as_s().ok().cloned())
        .collect();
    assert_eq!(
        ids,
        [id.as_str()],
        "only the live draft is in the owner's index"
    );

    // The new draft is deleted the same way, and then gone.
    let gone = as_owner(&store, &ada, event("delete-session.json", Some(&id))).await;
    assert_eq!(gone.status, StatusCode::OK);
    let again = as_owner(&store, &ada, event("get-session.json", Some(&id))).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

/// The owner's index entries, as a `Query` of the index reads them.
async fn index_entries(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    owner: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    use aws_sdk_dynamodb::types::{AttributeValue, Select};
    use project_session::dynamodb::{OWNER_ATTRIBUTE, OWNER_INDEX};
    let found = client
        .query()
        .table_name(table)
        .index_name(OWNER_INDEX)
        .key_condition_expression("#owner = :owner")
        .expression_attribute_names("#owner", OWNER_ATTRIBUTE)
        .expression_attribute_values(":owner", AttributeValue::S(owner.into()))
        .select(Select::AllProjectedAttributes)
        .send()
        .await
        .unwrap();
    found.items().to_vec()
}

/// The owner's index entry of draft `id`.
async fn index_entry(
    store: &project_session::DynamoStore,
    owner: &str,
    id: &str,
) -> Option<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    index_entries(store.client(), store.table(), owner)
        .await
        .into_iter()
        .find(|item| item.get("sessionId").and_then(|v| v.as_s().ok()) == Some(&id.to_string()))
}

/// The index holds what the list shows, the draft's name, and not its fields: however long the
/// description grows, an autosave rewrites an index entry of one write unit.
#[tokio::test]
async fn the_index_holds_a_drafts_name_not_its_fields_and_follows_each_rename() {
    let store = crate::support::dynamodb().await;
    let ada = person("ada");
    let long = "A description of some length. ".repeat(100);
    let id = created(
        &store,
        &ada,
        &json!({ "projectData": { "projectName": "Tower", "projectDescription": long } })
            .to_string(),
    )
    .await;
    let entry = index_entry(&store, &ada, &id).await.expect("indexed");
    let mut names: Vec<&str> = entry.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "createdAt",
            "currentStep",
            "expiresAt",
            "lastActivity",
            "maxExpiresAt",
            "owner",
            "sessionId",
            "title"
        ]
    );
    let name_in_list = |reply: &crate::support::Reply| {
        let drafts = reply.json["drafts"].as_array().unwrap();
        let draft = drafts
            .iter()
            .find(|d| d["sessionId"] == id.as_str())
            .unwrap();
        draft.get("projectName").cloned()
    };
    let listed = as_owner(&store, &ada, list("")).await;
    assert_eq!(name_in_list(&listed), Some(json!("Tower")));

    for (patch, shown) in [
        (
            json!({ "projectName": "Tower, renamed" }),
            Some(json!("Tower, renamed")),
        ),
        (
            json!({ "projectDescription": "Shorter" }),
            Some(json!("Tower, renamed")),
        ),
        (json!({ "projectName": null }), None),
        (
            json!({ "projectName": "Named again" }),
            Some(json!("Named again")),
        ),
    ] {
        let saved = as_owner(&store, &ada, update(&id, json!({ "projectData": patch }))).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
        let listed = as_owner(&store, &ada, list("")).await;
        assert_eq!(name_in_list(&listed), shown, "after {patch}");
    }
    let read = as_owner(&store, &ada, event("get-session.json", Some(&id))).await;
    assert_eq!(
        read.json["projectData"],
        json!({ "projectName": "Named again", "projectDescription": "Shorter" }),
        "the draft itself keeps every field"
    );

    let gone = as_owner(&store, &ada, event("delete-session.json", Some(&id))).await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(index_entry(&store, &ada, &id).await.is_none());
    let left = crate::support::raw_item(
        &store,
        project_session::domain::SessionId::parse(&id).unwrap(),
    )
    .await
    .expect("kept until the TTL sweep");
    assert!(
        !left.contains_key("title"),
        "a finished draft keeps no name: {left:?}"
    );
}

/// The count toward the cap stops once it has seen the cap's worth of live drafts: a person
/// past it (parallel creates, or a cap lowered since) is refused after one `Query` page.
#[tokio::test]
async fn the_count_toward_the_cap_stops_once_it_reaches_the_cap() {
    use project_session::dynamodb::{client_from_env, OperationLog};

    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME: run with scripts/test.sh");
    let log = OperationLog::default();
    let store = project_session::DynamoStore::new(log.attach(&client_from_env(3)), &table);
    let ada = person("ada");
    let roomy = project_session::Config {
        max_drafts_per_owner: 1000,
        ..owned_config()
    };
    let create = |config: &project_session::Config| {
        let ev = signed_in(
            with_body(event("create-session.json", None), Some("{}")),
            &ada,
        );
        let config = config.clone();
        let store = &store;
        async move { call_with(store, &ev, &config).await }
    };
    for _ in 0..120 {
        assert_eq!(create(&roomy).await.status, StatusCode::CREATED);
    }
    log.take();
    let capped = project_session::Config {
        max_drafts_per_owner: 20,
        ..owned_config()
    };
    let refused = create(&capped).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(log.take(), ["Query"], "one page holds the cap's 20");
}
