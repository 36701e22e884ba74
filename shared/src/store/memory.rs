//! An in-memory store with the same rules as the DynamoDB adapter, for handler tests.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::{
    Page, PageStart, StoreCreate, StoreDelete, StoreError, StoreGet, StoreList, StorePing,
    StoreUpdate, Updated,
};
use crate::domain::{CreateToken, ExpiryPolicy, Owner, Session, SessionId, SessionPatch};

#[derive(Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<SessionId, Session>>,
    create_tokens: Mutex<HashMap<SessionId, CreateToken>>,
    /// Deleted drafts, emptied, as DynamoDB keeps them marked until the TTL sweep.
    deleted: Mutex<HashMap<SessionId, Session>>,
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
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        match sessions.get(&id) {
            None => Err(StoreError::NotFound),
            Some(s) if s.owner.as_ref() != owner => Err(StoreError::NotFound),
            Some(s) if s.is_expired(now) => Err(StoreError::Expired),
            Some(s) => Ok(s.clone()),
        }
    }
}

impl StoreCreate for MemoryStore {
    async fn create(&self, session: &Session, token: &CreateToken) -> Result<Session, StoreError> {
        self.check()?;
        let mut sessions = self.lock();
        let mut tokens = self
            .create_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = tokens.get(&session.id) == Some(token);
        if let Some(stored) = sessions.get(&session.id) {
            if !stored.is_expired(session.created_at) {
                return if mine {
                    Ok(stored.clone())
                } else {
                    Err(StoreError::AlreadyExists)
                };
            }
        }
        let mut deleted = self
            .deleted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A repeat of a create whose draft was deleted since: the key is spent.
        if mine && deleted.contains_key(&session.id) {
            return Err(StoreError::AlreadyExists);
        }
        deleted.remove(&session.id);
        sessions.insert(session.id, session.clone());
        tokens.insert(session.id, token.clone());
        Ok(session.clone())
    }
}

impl StoreGet for MemoryStore {
    async fn get(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        self.check()?;
        Self::live(&self.lock(), id, owner, now)
    }
}

impl StoreUpdate for MemoryStore {
    async fn update(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        patch: &SessionPatch,
        now: DateTime<Utc>,
        policy: &ExpiryPolicy,
    ) -> Result<Updated, StoreError> {
        self.check()?;
        let mut sessions = self.lock();
        let mut session = Self::live(&sessions, id, owner, now)?;
        if !patch.accepts_version(session.version) {
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
    async fn delete(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        self.check()?;
        let mut sessions = self.lock();
        let session = Self::live(&sessions, id, owner, now)?;
        sessions.remove(&id);
        let emptied = Session {
            project_data: Default::default(),
            ..session.clone()
        };
        self.deleted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, emptied);
        Ok(session)
    }
}

impl MemoryStore {
    /// `owner`'s live drafts, newest first, as the index gives them.
    fn owned(&self, owner: &Owner, now: DateTime<Utc>) -> Vec<Session> {
        let mut drafts: Vec<Session> = self
            .lock()
            .values()
            .filter(|s| s.owner.as_ref() == Some(owner) && !s.is_expired(now))
            .cloned()
            .collect();
        drafts.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id.to_string())));
        drafts
    }
}

impl StoreList for MemoryStore {
    async fn list(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        start: Option<&PageStart>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        self.check()?;
        let after = |s: &Session| match start {
            None => true,
            Some(start) => {
                (s.created_at.timestamp_millis(), s.id.to_string())
                    < (start.created_at, start.id.to_string())
            }
        };
        let mut drafts: Vec<Session> = self.owned(owner, now).into_iter().filter(after).collect();
        let more = drafts.len() > limit as usize;
        drafts.truncate(limit as usize);
        let next = match drafts.last() {
            Some(last) if more => Some(PageStart {
                created_at: last.created_at.timestamp_millis(),
                id: last.id,
            }),
            _ => None,
        };
        Ok(Page { drafts, next })
    }

    async fn live_ids(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        enough: usize,
    ) -> Result<Vec<SessionId>, StoreError> {
        self.check()?;
        Ok(self
            .owned(owner, now)
            .iter()
            .take(enough)
            .map(|s| s.id)
            .collect())
    }
}

impl StorePing for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.check()
    }
}
