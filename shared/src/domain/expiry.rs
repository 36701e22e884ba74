//! How long a draft lives, and whether it has expired.

use chrono::{DateTime, Duration, Utc};

/// How long a draft lives: `idle` after its last write (every write pushes the expiry
/// forward, as the original design's `setEx` does), and never more than `max_lifetime` after its creation
/// (OWASP's absolute session timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryPolicy {
    pub idle: Duration,
    pub max_lifetime: Duration,
}

impl ExpiryPolicy {
    pub const DEFAULT_IDLE_SECS: i64 = 86_400;
    pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 7 * 86_400;

    pub fn new(idle: Duration, max_lifetime: Duration) -> Self {
        ExpiryPolicy { idle, max_lifetime }
    }

    /// The idle expiry of a write at `now`, in whole seconds (the TTL attribute's unit).
    pub fn expires_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        whole_seconds(now + self.idle)
    }

    /// The absolute cap of a draft created at `created`.
    pub fn max_expires_at(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        whole_seconds(created + self.max_lifetime)
    }
}

impl Default for ExpiryPolicy {
    fn default() -> Self {
        ExpiryPolicy::new(
            Duration::seconds(Self::DEFAULT_IDLE_SECS),
            Duration::seconds(Self::DEFAULT_MAX_LIFETIME_SECS),
        )
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// Activity times are kept to the millisecond, as JavaScript's `Date` has them.
pub fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// DynamoDB removes expired items only eventually, so every read decides expiry itself.
pub fn is_expired(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at <= now
}
