//! The ports: one narrow capability per verb, so each function is handed (and its IAM policy
//! grants) only the store operation it uses. `memory` is a fake for fast handler tests; the
//! real adapter is `crate::dynamodb`.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::domain::{CreateToken, ExpiryPolicy, Session, SessionId, SessionPatch};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such session")]
    NotFound,
    /// Still stored (DynamoDB's TTL sweep is lazy) but past its expiry.
    #[error("the session has expired")]
    Expired,
    #[error("the session is at version {current}")]
    VersionMismatch { current: u64 },
    #[error("a session with this id already exists")]
    AlreadyExists,
    /// Worth retrying later: unreachable, timed out or throttled.
    #[error("the session store is unavailable")]
    Unavailable(#[source] BoxError),
    #[error("the session store failed")]
    Failed(#[source] BoxError),
}

/// What an update leaves behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Updated {
    pub version: u64,
    /// When the draft now ends (idle expiry or absolute cap, whichever is first).
    pub expires_at: DateTime<Utc>,
}

pub trait StoreCreate {
    /// Stores a new session, marked with `token`, and returns what is stored under its id. A
    /// live session with that id is never overwritten: it is returned when it carries the same
    /// token (this create was sent before), and `AlreadyExists` otherwise.
    fn create(
        &self,
        session: &Session,
        token: &CreateToken,
    ) -> impl Future<Output = Result<Session, StoreError>> + Send;
}

pub trait StoreGet {
    /// A live session, or `NotFound` / `Expired`.
    fn get(
        &self,
        id: SessionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, StoreError>> + Send;
}

pub trait StoreUpdate {
    /// Applies `patch` to a live session (see `SessionPatch::apply`) in one atomic step.
    fn update(
        &self,
        id: SessionId,
        patch: &SessionPatch,
        now: DateTime<Utc>,
        policy: &ExpiryPolicy,
    ) -> impl Future<Output = Result<Updated, StoreError>> + Send;
}

pub trait StoreDelete {
    /// Deletes a live session and returns it as it was.
    fn delete(
        &self,
        id: SessionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, StoreError>> + Send;
}

pub trait StorePing {
    /// Checks that the store answers, without reading any session.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

pub mod memory {
    //! An in-memory store with the same rules as the DynamoDB adapter, for handler tests.

    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    pub struct MemoryStore {
        sessions: Mutex<HashMap<SessionId, Session>>,
        create_tokens: Mutex<HashMap<SessionId, CreateToken>>,
        /// When set, every call fails as an unreachable store would.
        pub unavailable: bool,
    }

    impl MemoryStore {
        pub fn unavailable() -> Self {
            Self {
                unavailable: true,
                ..Self::default()
            }
        }

        /// Stores a session as is, expired or not (as a lagging TTL sweep leaves it).
        pub fn insert(&self, session: Session) {
            self.lock().insert(session.id, session);
        }

        /// The stored item, live or not.
        pub fn raw(&self, id: SessionId) -> Option<Session> {
            self.lock().get(&id).cloned()
        }

        fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, Session>> {
            // A panic while holding the lock cannot leave a half-written session: writes are single inserts.
            self.sessions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }

        fn check(&self) -> Result<(), StoreError> {
            if self.unavailable {
                Err(StoreError::Unavailable("memory store switched off".into()))
            } else {
                Ok(())
            }
        }

        fn live(
            sessions: &HashMap<SessionId, Session>,
            id: SessionId,
            now: DateTime<Utc>,
        ) -> Result<Session, StoreError> {
            match sessions.get(&id) {
                None => Err(StoreError::NotFound),
                Some(s) if s.is_expired(now) => Err(StoreError::Expired),
                Some(s) => Ok(s.clone()),
            }
        }
    }

    impl StoreCreate for MemoryStore {
        async fn create(
            &self,
            session: &Session,
            token: &CreateToken,
        ) -> Result<Session, StoreError> {
            self.check()?;
            let mut sessions = self.lock();
            let mut tokens = self
                .create_tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(stored) = sessions.get(&session.id) {
                if !stored.is_expired(session.created_at) {
                    return match tokens.get(&session.id) {
                        Some(stored_token) if stored_token == token => Ok(stored.clone()),
                        _ => Err(StoreError::AlreadyExists),
                    };
                }
            }
            sessions.insert(session.id, session.clone());
            tokens.insert(session.id, token.clone());
            Ok(session.clone())
        }
    }

    impl StoreGet for MemoryStore {
        async fn get(&self, id: SessionId, now: DateTime<Utc>) -> Result<Session, StoreError> {
            self.check()?;
            Self::live(&self.lock(), id, now)
        }
    }

    impl StoreUpdate for MemoryStore {
        async fn update(
            &self,
            id: SessionId,
            patch: &SessionPatch,
            now: DateTime<Utc>,
            policy: &ExpiryPolicy,
        ) -> Result<Updated, StoreError> {
            self.check()?;
            let mut sessions = self.lock();
            let mut session = Self::live(&sessions, id, now)?;
            if patch
                .expected_versions
                .iter()
                .any(|v| *v != session.version)
            {
                return Err(StoreError::VersionMismatch {
                    current: session.version,
                });
            }
            patch.apply(&mut session, now, policy);
            let updated = Updated {
                version: session.version,
                expires_at: session.live_until(),
            };
            sessions.insert(id, session);
            Ok(updated)
        }
    }

    impl StoreDelete for MemoryStore {
        async fn delete(&self, id: SessionId, now: DateTime<Utc>) -> Result<Session, StoreError> {
            self.check()?;
            let mut sessions = self.lock();
            let session = Self::live(&sessions, id, now)?;
            sessions.remove(&id);
            Ok(session)
        }
    }

    impl StorePing for MemoryStore {
        async fn ping(&self) -> Result<(), StoreError> {
            self.check()
        }
    }
}
