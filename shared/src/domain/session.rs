//! A draft as stored, what a create asks for, and how an update merges into a draft.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    is_expired, to_millis, ExpiryPolicy, Field, FieldValue, Owner, ProjectData, SessionId,
    FIRST_STEP,
};

/// A draft as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub id: SessionId,
    pub project_data: ProjectData,
    pub current_step: u8,
    pub completed_steps: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
    /// The idle expiry, pushed forward by every write. Whole seconds: DynamoDB's TTL
    /// attribute is epoch seconds.
    pub expires_at: DateTime<Utc>,
    /// The absolute cap, fixed at creation: even an active draft ends here.
    pub max_expires_at: DateTime<Utc>,
    pub version: u64,
    /// Values stored under a name this schema does not know, or that its bounds refuse: written
    /// by an older or newer deploy. Kept stored, never returned as `projectData`; a write to
    /// the field replaces them.
    pub set_aside: BTreeMap<String, Value>,
    /// Owned mode: whose draft it is; every verb answers 404 to anyone else.
    pub owner: Option<Owner>,
}

impl Session {
    /// When the draft ends: at its idle expiry or its absolute cap, whichever comes first.
    pub fn live_until(&self) -> DateTime<Utc> {
        self.expires_at.min(self.max_expires_at)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        is_expired(self.live_until(), now)
    }
}

/// What a create request asks for; the defaults are no fields, step 1 and no completed steps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewSession {
    pub project_data: ProjectData,
    pub current_step: Option<u8>,
    pub completed_steps: Option<Vec<u8>>,
}

impl NewSession {
    pub fn into_session(self, id: SessionId, now: DateTime<Utc>, policy: &ExpiryPolicy) -> Session {
        let now = to_millis(now);
        Session {
            id,
            project_data: self.project_data,
            current_step: self.current_step.unwrap_or(FIRST_STEP),
            completed_steps: self.completed_steps.unwrap_or_default(),
            created_at: now,
            last_activity: now,
            expires_at: policy.expires_at(now).min(policy.max_expires_at(now)),
            max_expires_at: policy.max_expires_at(now),
            version: 1,
            set_aside: BTreeMap::new(),
            owner: None,
        }
    }
}

/// An update: `Some(value)` sets a field, `None` removes it; absent fields are left alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionPatch {
    pub project_data: BTreeMap<Field, Option<FieldValue>>,
    pub current_step: Option<u8>,
    pub completed_steps: Option<Vec<u8>>,
    /// Optimistic concurrency: the update applies only while the draft is at each of these
    /// versions (`expectedVersion`; two different ones can never both hold).
    pub expected_versions: BTreeSet<u64>,
    /// `If-Match` (RFC 9110): the update applies only while the draft's version is one of these.
    /// `None`: no `If-Match`, or `*`. An empty set (only weak or unknown tags) never matches.
    pub if_match: Option<BTreeSet<u64>>,
}

impl SessionPatch {
    /// Whether a draft at `current` meets every version condition of the patch.
    pub fn accepts_version(&self, current: u64) -> bool {
        self.expected_versions.iter().all(|v| *v == current)
            && self
                .if_match
                .as_ref()
                .is_none_or(|tags| tags.contains(&current))
    }

    /// The merge rule, as a plain function: the DynamoDB adapter does the same in one UpdateItem.
    pub fn apply(&self, session: &mut Session, now: DateTime<Utc>, policy: &ExpiryPolicy) {
        for (field, value) in &self.project_data {
            // What was stored under the field's name or its old names is replaced.
            session.set_aside.remove(field.name());
            for alias in field.aliases() {
                session.set_aside.remove(*alias);
            }
            match value {
                Some(v) => session.project_data.insert(*field, v.clone()),
                None => session.project_data.remove(field),
            };
        }
        if let Some(step) = self.current_step {
            session.current_step = step;
        }
        if let Some(steps) = &self.completed_steps {
            session.completed_steps = steps.clone();
        }
        session.last_activity = to_millis(now);
        // The stored expiry is also when DynamoDB deletes the item: never after the cap.
        session.expires_at = policy.expires_at(now).min(session.max_expires_at);
        session.version += 1;
    }
}
