//! What every test of this binary builds on: the stores under test (`Backend`, with the back
//! doors a test needs), requests built from the API Gateway events in `events/`, and the
//! handlers called as API Gateway routes to them.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use lambda_http::http::{HeaderMap, StatusCode};
use lambda_http::{Body, Request, Response};
use project_session::config::AuthMode;
use project_session::domain::{
    ExpiryPolicy, Field, FieldValue, NewSession, Owner, Session, SessionId,
};
use project_session::dynamodb::{client_from_env, item_to_session, session_to_item, KEY_ATTRIBUTE};
use project_session::store::memory::MemoryStore;
use project_session::store::Store;
use project_session::{handlers, Config, DynamoStore, Verb};
use serde_json::{json, Value};

/// A store under test, plus the back doors a test needs to plant and inspect raw items.
pub trait Backend: Send + Sync + 'static {
    /// The store the handlers run on.
    type Store: Store;
    fn store(&self) -> &Self::Store;
    /// Stores a session as is, expired or not, as a lagging TTL sweep leaves it.
    fn plant(&self, session: Session) -> impl Future<Output = ()> + Send;
    /// The stored draft, live or expired (not one that was deleted).
    fn raw(&self, id: SessionId) -> impl Future<Output = Option<Session>> + Send;
    /// Owned mode: the `sub` every request through `call` carries, as API Gateway's JWT
    /// authorizer would put it. `None`: anonymous mode.
    fn owner(&self) -> Option<&'static str> {
        None
    }
}

/// A store under test in owned mode (`AUTH_MODE=jwt`), every request signed in as `owner`: the
/// whole suite runs so too.
pub struct Owned<S> {
    pub store: S,
    pub owner: &'static str,
}

impl<S> Owned<S> {
    /// A person of their own for each test, so that no test meets another's drafts or cap.
    pub fn new(store: S) -> Self {
        let owner = format!("suite-owner-{}", uuid::Uuid::new_v4());
        Self {
            store,
            owner: Box::leak(owner.into_boxed_str()),
        }
    }
}

impl<S: Backend> Backend for Owned<S> {
    type Store = S::Store;
    fn store(&self) -> &S::Store {
        self.store.store()
    }
    /// Planted drafts are the owner's, as the suite's requests would have made them.
    async fn plant(&self, mut session: Session) {
        session
            .owner
            .get_or_insert_with(|| Owner::parse(self.owner).expect("an owner"));
        self.store.plant(session).await;
    }
    /// As the suite planted or made it: the owner, always the suite's, left out.
    async fn raw(&self, id: SessionId) -> Option<Session> {
        let mut session = self.store.raw(id).await?;
        if session.owner.as_ref().map(Owner::as_str) == Some(self.owner) {
            session.owner = None;
        }
        Some(session)
    }
    fn owner(&self) -> Option<&'static str> {
        Some(self.owner)
    }
}

/// `event` as API Gateway passes it after its JWT authorizer accepted a token of `sub`.
pub fn signed_in(mut event: Value, sub: &str) -> Value {
    event["requestContext"]["authorizer"] =
        json!({ "jwt": { "claims": { "sub": sub }, "scopes": null } });
    event
}

pub fn owned_config() -> Config {
    Config {
        auth: AuthMode::Jwt,
        ..config()
    }
}

impl Backend for MemoryStore {
    type Store = Self;
    fn store(&self) -> &Self {
        self
    }
    async fn plant(&self, session: Session) {
        self.insert(session);
    }
    async fn raw(&self, id: SessionId) -> Option<Session> {
        MemoryStore::raw(self, id)
    }
}

impl Backend for DynamoStore {
    type Store = Self;
    fn store(&self) -> &Self {
        self
    }
    async fn plant(&self, session: Session) {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(session_to_item(&session)))
            .send()
            .await
            .expect("put the item as is");
    }
    /// A deleted draft's marked item, which waits for the TTL sweep, is no draft.
    async fn raw(&self, id: SessionId) -> Option<Session> {
        raw_item(self, id)
            .await
            .filter(|item| !item.contains_key("deleted"))
            .map(|item| item_to_session(&item).expect("a well-formed item"))
    }
}

pub async fn raw_item(
    store: &DynamoStore,
    id: SessionId,
) -> Option<HashMap<String, AttributeValue>> {
    let output = store
        .client()
        .get_item()
        .table_name(store.table())
        .key(KEY_ATTRIBUTE, AttributeValue::S(id.to_string()))
        .consistent_read(true)
        .send()
        .await
        .expect("DynamoDB Local answers");
    output.item().cloned()
}

pub fn require(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run these tests with scripts/test.sh, which starts DynamoDB Local"
        )
    })
}

pub async fn dynamodb() -> DynamoStore {
    require("AWS_ENDPOINT_URL_DYNAMODB");
    DynamoStore::new(client_from_env(3), require("TABLE_NAME"))
}

/// The table of the API suite: the same as `TABLE_NAME` but without the TTL sweep, which
/// DynamoDB Local runs within seconds. Real DynamoDB may leave expired items for days, and
/// that is the case the suite checks.
pub async fn dynamodb_lagging_ttl() -> DynamoStore {
    require("AWS_ENDPOINT_URL_DYNAMODB");
    DynamoStore::new(client_from_env(3), require("LAGGING_TABLE_NAME"))
}

pub fn config() -> Config {
    Config {
        auth: AuthMode::Anonymous,
        max_drafts_per_owner: Config::DEFAULT_MAX_DRAFTS_PER_OWNER,
        table_name: "unused-by-handlers".into(),
        policy: ExpiryPolicy::default(),
        max_attempts: 3,
        extra_ca_file: None,
    }
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// The id the fixtures carry, replaced by each test's own.
pub const FIXTURE_ID: &str = "2b7d3f4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";

/// An event file as JSON, with the fixture's session id replaced by `id` when given.
pub fn event(name: &str, id: Option<&str>) -> Value {
    let path = events_dir().join(name);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if let Some(id) = id {
        text = text.replace(FIXTURE_ID, id);
    }
    serde_json::from_str(&text).expect("event files are JSON")
}

pub fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

/// The event of a route with another body (`None` drops it).
pub fn with_body(mut event: Value, body: Option<&str>) -> Value {
    match body {
        Some(body) => {
            event["body"] = json!(body);
            event["headers"]["content-length"] = json!(body.len().to_string());
        }
        None => {
            event.as_object_mut().unwrap().remove("body");
        }
    }
    event
}

pub fn with_header(mut event: Value, name: &str, value: &str) -> Value {
    event["headers"][name] = json!(value);
    event
}

/// Routes as API Gateway does, by method and path parameter, to the function's handler.
pub async fn call<B: Backend>(store: &B, event: &Value) -> Reply {
    call_with(store, event, &config()).await
}

pub async fn call_with<B: Backend>(store: &B, event: &Value, config: &Config) -> Reply {
    let (event, config) = match store.owner() {
        Some(sub) => (
            &signed_in(event.clone(), sub),
            &Config {
                auth: AuthMode::Jwt,
                ..config.clone()
            },
        ),
        None => (event, config),
    };
    Reply::from(handle(verb_of(event), store, config, request(event)).await)
}

/// The verb API Gateway routes `event` to: its `routeKey` names the method and path template.
pub fn verb_of(event: &Value) -> Verb {
    let key = event["routeKey"].as_str().unwrap_or_default();
    key.split_once(' ')
        .and_then(|(method, path)| Verb::of_route(method, path))
        .unwrap_or_else(|| panic!("no route for {key:?}"))
}

/// Each verb's handler, as its function's `main.rs` serves it, on the backend's store.
pub async fn handle<B: Backend>(
    verb: Verb,
    backend: &B,
    config: &Config,
    req: Request,
) -> Response<Body> {
    handlers::handle(verb, backend.store(), config, req).await
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl From<Response<Body>> for Reply {
    fn from(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let json = serde_json::from_slice(body.as_ref()).expect("every response is JSON");
        assert_eq!(parts.headers["content-type"], "application/json");
        assert_eq!(parts.headers["cache-control"], "no-store");
        Reply {
            status: parts.status,
            headers: parts.headers,
            json,
        }
    }
}

pub async fn create<B: Backend>(store: &B, body: Option<&str>) -> String {
    let reply = call(store, &with_body(event("create-session.json", None), body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json["sessionId"].as_str().unwrap().to_string()
}

pub async fn get<B: Backend>(store: &B, id: &str) -> Reply {
    call(store, &event("get-session.json", Some(id))).await
}

/// `PUT /project-session/{id}` with `body`, no If-Match.
pub async fn put<B: Backend>(store: &B, id: &str, body: Value) -> Reply {
    let ev = event("update-session.json", Some(id));
    let mut ev = with_body(ev, Some(&body.to_string()));
    ev["headers"].as_object_mut().unwrap().remove("if-match");
    call(store, &ev).await
}

pub fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp string"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// A session whose expiry passed a minute ago, still in the table.
pub fn expired_session() -> Session {
    let created = Utc::now() - Duration::hours(25);
    let policy = ExpiryPolicy::new(
        Duration::hours(24) - Duration::minutes(1),
        Duration::days(7),
    );
    NewSession {
        project_data: [(Field::ProjectName, FieldValue::Text("Stale".into()))].into(),
        ..Default::default()
    }
    .into_session(SessionId::generate(), created, &policy)
}
