//! The API suite against DynamoDB Local, plus what only a real DynamoDB shows: the item
//! layout, the table's TTL, the event fixtures and an unreachable endpoint.

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use lambda_http::http::StatusCode;
use project_session::domain::{SessionId, SCHEMA_VERSION};
use project_session::dynamodb::{client_from_env, KEY_ATTRIBUTE, TTL_ATTRIBUTE};
use project_session::{DynamoStore, Verb};
use serde_json::json;

use crate::support::{
    call, create, dynamodb, dynamodb_lagging_ttl, event, get, put, raw_item, require, verb_of,
    with_body,
};

store_suite!(dynamodb_lagging_ttl);

/// The same suite in owned mode, every request signed in as one person.
mod owned {
    use project_session::DynamoStore;

    use crate::support::{dynamodb_lagging_ttl, Owned};

    async fn dynamodb_owned() -> Owned<DynamoStore> {
        Owned::new(dynamodb_lagging_ttl().await)
    }

    store_suite!(dynamodb_owned);
}

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

/// What another deploy may have left in an item: a field this schema does not have, and values
/// its types and bounds refuse.
async fn store_as_another_deploy_would(store: &DynamoStore, id: &str) {
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key(KEY_ATTRIBUTE, AttributeValue::S(id.to_string()))
        .update_expression("SET projectData.#a = :a, projectData.#b = :b, projectData.#c = :c")
        .expression_attribute_names("#a", "retiredField")
        .expression_attribute_names("#b", "budget")
        .expression_attribute_names("#c", "numberOfFloors")
        .expression_attribute_values(":a", AttributeValue::N("1200".into()))
        .expression_attribute_values(":b", AttributeValue::S("about 12k".into()))
        .expression_attribute_values(":c", AttributeValue::N("2.5".into()))
        .send()
        .await
        .expect("UpdateItem as another deploy");
}

#[tokio::test]
async fn stored_values_this_schema_cannot_hold_are_set_aside_not_lost_and_a_write_replaces_them() {
    let store = dynamodb().await;
    let id = create(&store, Some(r#"{"projectData":{"projectName":"Depot"}}"#)).await;
    store_as_another_deploy_would(&store, &id).await;

    let reply = get(&store, &id).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["projectData"], json!({ "projectName": "Depot" }));
    assert_eq!(
        reply.json["setAside"],
        json!({ "retiredField": 1200, "budget": "about 12k", "numberOfFloors": 2.5 })
    );

    let reply = put(&store, &id, json!({ "projectData": { "budget": 12000 } })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let reply = get(&store, &id).await;
    assert_eq!(
        reply.json["projectData"],
        json!({ "projectName": "Depot", "budget": 12000 })
    );
    assert_eq!(
        reply.json["setAside"],
        json!({ "retiredField": 1200, "numberOfFloors": 2.5 }),
        "the rest stays stored, for a deploy that knows it"
    );
    let item = raw_item(&store, SessionId::parse(&id).unwrap())
        .await
        .expect("stored");
    assert_eq!(
        item["schemaVersion"],
        AttributeValue::S(SCHEMA_VERSION.into())
    );
    assert_eq!(
        item["projectData"].as_m().expect("a map")["retiredField"],
        AttributeValue::N("1200".into())
    );
}

#[tokio::test]
async fn a_draft_with_nothing_set_aside_has_no_set_aside_member() {
    let store = dynamodb().await;
    let id = create(&store, Some(r#"{"projectData":{"budget":5}}"#)).await;
    let reply = get(&store, &id).await;
    assert_eq!(reply.json.get("setAside"), None, "{}", reply.json);
    let item = raw_item(&store, SessionId::parse(&id).unwrap())
        .await
        .expect("stored");
    assert_eq!(
        item["schemaVersion"],
        AttributeValue::S(SCHEMA_VERSION.into()),
        "a create stores the schema version too"
    );
}

#[tokio::test]
async fn every_event_fixture_runs_through_its_function_handler() {
    let store = dynamodb().await;
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../events")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        // Each fixture against a session of its own, at version 1 as the fixtures expect.
        let id = create(&store, None).await;
        let ev = event(&name, Some(&id));
        let verb = verb_of(&ev);
        let reply = call(&store, &ev).await;
        // Anonymous mode has no owners to list (owned mode: `api/template/iam.rs`).
        if verb == Verb::ListSessions {
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{name}: {}",
                reply.json
            );
        } else {
            assert!(
                reply.status.is_success(),
                "{name}: {} {}",
                reply.status,
                reply.json
            );
        }
        seen.push(verb);
    }
    for verb in Verb::ALL {
        assert!(seen.contains(&verb), "no events/ fixture for {verb:?}");
    }
}

/// A closed port: the connection is refused, as when DynamoDB is unreachable.
async fn unreachable_store() -> DynamoStore {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = client_from_env(1);
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

/// A store whose client talks to `endpoint`, with the production timeouts and `attempts`.
fn store_at(endpoint: &str, attempts: u32) -> DynamoStore {
    let client = client_from_env(attempts);
    let config = client.config().to_builder().endpoint_url(endpoint).build();
    DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        require("TABLE_NAME"),
    )
}

/// Accepts connections and never answers, like a DynamoDB endpoint that hangs.
fn silent_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(32).collect();
        std::thread::sleep(std::time::Duration::from_secs(60));
        drop(held);
    });
    format!("http://127.0.0.1:{port}")
}

/// Answers every request as DynamoDB does when it throttles.
fn throttling_endpoint() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(32).flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let answer = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: throttled\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}")
}

async fn assert_503_without_success(store: &DynamoStore) {
    let id = SessionId::generate().to_string();
    let update = with_body(
        event("update-session-seed.json", Some(&id)),
        Some(&json!({"sessionId": id, "projectData": {"projectName": "Unsaved"}}).to_string()),
    );
    let create = event("create-session.json", None);
    let (created, updated) = tokio::join!(call(store, &create), call(store, &update));
    for reply in [created, updated] {
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            reply.json
        );
        assert_eq!(reply.headers["retry-after"], "1");
        assert_eq!(
            reply.json,
            json!({"error": "The session store is unavailable, try again shortly"})
        );
    }
}

#[tokio::test]
async fn a_dynamodb_that_never_answers_gets_503_before_the_lambda_timeout() {
    // Production settings: 3 attempts, 2 s each, 5 s for the whole operation; Lambda allows 8 s.
    let store = store_at(&silent_endpoint(), 3);
    let started = std::time::Instant::now();
    assert_503_without_success(&store).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(8),
        "answered after {elapsed:?}"
    );
}

#[tokio::test]
async fn a_throttling_dynamodb_gets_503_with_retry_after() {
    let store = store_at(&throttling_endpoint(), 3);
    assert_503_without_success(&store).await;
    let health = call(&store, &event("health.json", None)).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// A DynamoDB Local of this test's own, so that it can be stopped and started again.
struct OwnDynamoDbLocal(std::process::Child);

impl OwnDynamoDbLocal {
    fn start(port: u16) -> Self {
        let home = require("DYNAMODB_LOCAL_HOME");
        let child = std::process::Command::new("java")
            .current_dir(&home)
            .args([
                "-Djava.library.path=./DynamoDBLocal_lib",
                "-jar",
                "DynamoDBLocal.jar",
                "-inMemory",
                "-sharedDb",
                "-port",
            ])
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("java starts DynamoDB Local");
        OwnDynamoDbLocal(child)
    }
}

impl Drop for OwnDynamoDbLocal {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn health_until(store: &DynamoStore, status: StatusCode) {
    let started = std::time::Instant::now();
    loop {
        let reply = call(store, &event("health.json", None)).await;
        if reply.status == status {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "health stayed {}",
            reply.status
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn health_turns_503_when_dynamodb_stops_and_200_when_it_is_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = store_at(&format!("http://127.0.0.1:{port}"), 1);
    let ddb = OwnDynamoDbLocal::start(port);
    // DescribeTable needs the table; create it the way the scripts do.
    health_until_answering(&store).await;
    create_table(&store).await;
    health_until(&store, StatusCode::OK).await;
    drop(ddb);
    health_until(&store, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_503_without_success(&store).await;
    let _ddb = OwnDynamoDbLocal::start(port);
    health_until_answering(&store).await;
    create_table(&store).await;
    health_until(&store, StatusCode::OK).await;
}

async fn health_until_answering(store: &DynamoStore) {
    let started = std::time::Instant::now();
    while store.client().list_tables().send().await.is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "DynamoDB Local did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

async fn create_table(store: &DynamoStore) {
    project_session::dynamodb::create_table(store.client(), store.table(), false)
        .await
        .expect("CreateTable");
}

/// An HTTPS endpoint whose certificate is signed by a CA of the test's own (openssl's test
/// server), standing in for a man in the middle: the client's TLS works, and it trusts only
/// Amazon's roots.
#[tokio::test]
async fn an_endpoint_whose_certificate_is_not_from_amazon_is_refused() {
    let dir = std::env::temp_dir().join(format!("untrusted-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("leaf.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    let openssl = |args: &[&str]| {
        let made = std::process::Command::new("openssl")
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            made.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    };
    let days = ["-days", "1"];
    openssl(
        &[
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=Not Amazon",
            ][..],
            &days,
        ]
        .concat(),
    );
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(
        &[
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "cert.pem",
                "-extfile",
                "leaf.ext",
            ][..],
            &days,
        ]
        .concat(),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .current_dir(&dir)
        .args([
            "s_server", "-quiet", "-www", "-cert", "cert.pem", "-key", "key.pem", "-accept",
        ])
        .arg(port.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "s_server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let store = store_at(&format!("https://127.0.0.1:{port}"), 1);
    let error = store
        .client()
        .describe_table()
        .table_name("t")
        .send()
        .await
        .expect_err("refused");
    let chain = format!("{:?}", aws_sdk_dynamodb::error::DisplayErrorContext(&error));
    let health = call(&store, &event("health.json", None)).await;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(chain.contains("UnknownIssuer"), "{chain}");
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// A delete marks the item with its own `:now` as expiry; a write signed a moment earlier on
/// another host (or in the same second) must still find the draft gone.
#[tokio::test]
async fn a_write_never_lands_on_a_deleted_draft_whatever_the_clocks() {
    let store = dynamodb_lagging_ttl().await;
    let id = create(&store, Some(r#"{"projectData":{"clientName":"Gone"}}"#)).await;
    let key = SessionId::parse(&id).unwrap();
    assert_eq!(
        call(&store, &event("delete-session.json", Some(&id)))
            .await
            .status,
        StatusCode::OK
    );
    // The marked item's expiry an hour ahead, as a delete on a host whose clock ran late.
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key(KEY_ATTRIBUTE, AttributeValue::S(id.clone()))
        .update_expression("SET #ttl = :later")
        .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
        .expression_attribute_values(
            ":later",
            AttributeValue::N((chrono::Utc::now().timestamp() + 3600).to_string()),
        )
        .send()
        .await
        .expect("DynamoDB Local answers");
    let update =
        crate::support::put(&store, &id, json!({"projectData": {"clientName": "Back"}})).await;
    assert_eq!(update.status, StatusCode::NOT_FOUND, "{}", update.json);
    let delete = call(&store, &event("delete-session.json", Some(&id))).await;
    assert_eq!(
        delete.status,
        StatusCode::NOT_FOUND,
        "deleted once, counted once"
    );
    let item = raw_item(&store, key).await.expect("the marked item");
    assert_eq!(item["projectData"], AttributeValue::M(Default::default()));
}
