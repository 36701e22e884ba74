//! The API suite against the in-memory store: handler logic without AWS.

mod suite;

use lambda_http::http::StatusCode;
use project_session::store::memory::MemoryStore;
use suite::{call, event};

async fn memory() -> MemoryStore {
    MemoryStore::default()
}

store_suite!(memory);

#[tokio::test]
async fn an_unavailable_store_gives_503_with_retry_after_and_no_internals() {
    let store = MemoryStore::unavailable();
    let reply = call(&store, &event("create-session.json", None)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.headers["retry-after"], "1");
    assert_eq!(
        reply.json,
        serde_json::json!({"error": "The session store is unavailable, try again shortly"})
    );
    let health = call(&store, &event("health.json", None)).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        health.json,
        serde_json::json!({"status": "unhealthy", "dynamodb": "disconnected"})
    );
}
