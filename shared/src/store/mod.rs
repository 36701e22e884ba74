//! The ports: one narrow capability per verb, so each function is handed (and its IAM policy
//! grants) only the store operation it uses. The real adapter is `crate::dynamodb`; `memory`,
//! with the `test-support` feature, is a fake for fast handler tests.

#[cfg(feature = "test-support")]
pub mod memory;

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::domain::{CreateToken, ExpiryPolicy, Owner, Session, SessionId, SessionPatch};

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

/// Every verb but create names the draft's `owner` (`None`: anonymous mode): another
/// owner's draft, or an owned one in anonymous mode, is `NotFound`, as if it did not exist.
pub trait StoreGet {
    /// A live session, or `NotFound` / `Expired`.
    fn get(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, StoreError>> + Send;
}

pub trait StoreUpdate {
    /// Applies `patch` to a live session (see `SessionPatch::apply`) in one atomic step.
    fn update(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
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
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, StoreError>> + Send;
}

/// Where a page of an owner's drafts starts: after the draft created at `created_at` (epoch
/// milliseconds) with id `id`, in the order the list goes (newest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageStart {
    pub created_at: i64,
    pub id: SessionId,
}

/// A page of an owner's live drafts, newest first, and where the next starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub drafts: Vec<Session>,
    pub next: Option<PageStart>,
}

/// Owned mode: an owner's drafts, through the index on `owner` (`template.yaml`'s `byOwner`).
pub trait StoreList {
    /// Up to `limit` live drafts of `owner`, newest first, from `start`. A page may hold fewer
    /// than `limit` with a `next` still given (expired and deleted drafts are read, then left
    /// out); the list ends where `next` is `None`.
    fn list(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        start: Option<&PageStart>,
        limit: u32,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;

    /// The ids of `owner`'s live drafts, newest first: what the per-owner cap counts. It may
    /// stop once it has `enough` (the cap), so more may exist than it returns.
    fn live_ids(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        enough: usize,
    ) -> impl Future<Output = Result<Vec<SessionId>, StoreError>> + Send;
}

pub trait StorePing {
    /// Checks that the store answers, without reading any session.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Every capability: what the tests' stores offer, and what `handlers::handle` needs to serve
/// any verb. Each function's `main.rs` asks only for its own verb's.
pub trait Store:
    StoreCreate + StoreGet + StoreUpdate + StoreDelete + StoreList + StorePing + Send + Sync
{
}

impl<S> Store for S where
    S: StoreCreate + StoreGet + StoreUpdate + StoreDelete + StoreList + StorePing + Send + Sync
{
}
