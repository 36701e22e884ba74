//! The API suite against the in-memory store: handler logic without AWS.

use lambda_http::http::StatusCode;
use project_session::store::memory::MemoryStore;

use crate::support::{call, event, with_body};

async fn memory() -> MemoryStore {
    MemoryStore::default()
}

store_suite!(memory);

/// The same suite in owned mode, every request signed in as one person.
mod owned {
    use project_session::store::memory::MemoryStore;

    use crate::support::Owned;

    async fn memory_owned() -> Owned<MemoryStore> {
        Owned::new(MemoryStore::default())
    }

    store_suite!(memory_owned);
}

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
    assert_eq!(health.headers["retry-after"], "1");
    assert_eq!(
        health.json,
        serde_json::json!({"status": "unhealthy", "dynamodb": "disconnected"})
    );
}

/// Captures what the subscriber writes, for the log assertions below.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_store_failure_is_logged_with_its_cause_but_not_the_request() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let store = MemoryStore::unavailable();
    let body = r#"{"projectData":{"clientEmail":"ada@example.com"}}"#;
    let reply = call(
        &store,
        &with_body(event("create-session.json", None), Some(body)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR"), "{log}");
    // The cause chain: our message, then the store's own error.
    assert!(log.contains("The session store is unavailable, try again shortly: the session store is unavailable: memory store switched off"), "{log}");
    assert!(
        !log.contains("ada@example.com"),
        "draft contents leaked into the log: {log}"
    );
}
