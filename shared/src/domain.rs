//! The draft session and its rules: which fields a draft has, what values they take, how an
//! update merges into a draft and when a draft has expired. Plain types and functions, no AWS.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Number, Value};
use uuid::Uuid;

/// The wizard has four steps; `currentStep` and `completedSteps` stay within them.
pub const FIRST_STEP: u8 = 1;
pub const LAST_STEP: u8 = 4;

mod fields;

pub use fields::{Field, MAX_NUMBER, MIN_POSITIVE_NUMBER, SCHEMA_VERSION};

/// A session id: a random (version 4) UUID in its canonical spelling, lowercase and hyphenated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(Uuid);

impl SessionId {
    /// A fresh id from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// Accepts only the canonical form: `Uuid::try_parse` alone also takes uppercase, braced,
    /// `urn:` and unhyphenated spellings, which would give one draft several names.
    pub fn parse(text: &str) -> Option<Self> {
        let uuid = Uuid::try_parse(text).ok()?;
        let canonical = uuid.get_version() == Some(uuid::Version::Random)
            && uuid.get_variant() == uuid::Variant::RFC4122
            && uuid.hyphenated().to_string() == text;
        canonical.then_some(Self(uuid))
    }

    /// A short, non-reversible tag for logs: the id itself is the draft's only credential.
    pub fn log_tag(&self) -> String {
        let hash = self
            .0
            .as_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{:08x}", hash >> 32)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Whose draft it is in owned mode (`AUTH_MODE=jwt`): the `sub` claim of the caller's token, as
/// API Gateway's JWT authorizer verified it. Anonymous drafts have none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner(String);

impl Owner {
    /// OpenID Connect caps `sub` at 255 ASCII characters.
    pub const MAX_LEN: usize = 255;

    pub fn parse(sub: &str) -> Option<Self> {
        (!sub.is_empty() && sub.len() <= Self::MAX_LEN).then(|| Self(sub.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client's `Idempotency-Key` for a create: the draft's id is derived from it, so every
/// repeat of that create names the same draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Fixed namespaces of the name-based UUIDs below; changing one orphans every key in flight.
const KEY_ID_NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_2b4e_8f0a_4c6e_9b3d_7a21_e4f6_0c88);
const KEY_TOKEN_NAMESPACE: Uuid = Uuid::from_u128(0x9e47_a0d3_16bb_4f52_a8c9_3f60_d21e_7b14);

impl IdempotencyKey {
    /// A random (version 4, RFC 9562 variant) UUID, hyphenated, in any case: the draft's id
    /// comes from the key, and the id is the draft's only credential, so the key must be as hard
    /// to guess as a random id (the nil UUID, or a time- or name-based one, is not). An RFC 8941
    /// string (in quotes, as the IETF draft spells it) or bare, as most APIs take it.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let bare = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let uuid = Uuid::try_parse(bare).ok()?;
        let random = uuid.get_version() == Some(uuid::Version::Random)
            && uuid.get_variant() == uuid::Variant::RFC4122;
        (bare.len() == 36 && random).then(|| Self(uuid.hyphenated().to_string()))
    }

    /// A version 4 UUID in form (so it passes `SessionId::parse`) whose bits come from the key
    /// (and the owner's, in owned mode): no one without the key can find it, exactly as with a
    /// random id, and two owners' keys never name one draft.
    pub fn session_id(&self, owner: Option<&Owner>) -> SessionId {
        let name = match owner {
            None => self.0.clone(),
            Some(owner) => format!("{}\0{}", self.0, owner.as_str()),
        };
        let named = Uuid::new_v5(&KEY_ID_NAMESPACE, name.as_bytes());
        SessionId(uuid::Builder::from_random_bytes(named.into_bytes()).into_uuid())
    }
}

/// Stored on a draft by the create that made it, and compared when a create finds its id
/// taken: the same token means this very create was sent before (a client retry with the same
/// key and body, or an SDK retry of a write whose reply was lost), so its draft is the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateToken(String);

impl CreateToken {
    /// A create without a key: its SDK attempts share the token, nothing else does.
    pub fn random() -> Self {
        Self(Uuid::new_v4().simple().to_string())
    }

    /// The same key and body give the same token; the same key with another body does not.
    pub fn for_key(key: &IdempotencyKey, body: &[u8]) -> Self {
        let mut name = Vec::with_capacity(key.0.len() + 1 + body.len());
        name.extend_from_slice(key.0.as_bytes());
        name.push(0);
        name.extend_from_slice(body);
        Self(
            Uuid::new_v5(&KEY_TOKEN_NAMESPACE, &name)
                .simple()
                .to_string(),
        )
    }

    pub fn from_stored(text: &str) -> Self {
        Self(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a field of `ProjectFormData` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text { max_chars: usize },
    Number,
    Integer,
    Choice(&'static [&'static str]),
}

impl Field {
    /// The field named so, or once named so (a rename keeps older drafts and clients working).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name || f.aliases().contains(&name))
    }
}

/// A valid field value. Numbers keep serde_json's integer/float distinction so `5` stays `5`.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(Number),
}

impl FieldValue {
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(s) => Value::String(s.clone()),
            FieldValue::Number(n) => Value::Number(n.clone()),
        }
    }
}

/// A draft's form data: only the fields typed so far.
pub type ProjectData = BTreeMap<Field, FieldValue>;

/// Checks one value against its field's kind. The message never repeats the value.
pub fn validate_value(field: Field, value: &Value) -> Result<FieldValue, String> {
    match (field.kind(), value) {
        (Kind::Text { max_chars }, Value::String(s)) => {
            if s.chars().count() > max_chars {
                Err(format!("must be at most {max_chars} characters"))
            } else {
                Ok(FieldValue::Text(s.clone()))
            }
        }
        (Kind::Text { .. }, _) => Err("must be a string".into()),
        (Kind::Choice(options), Value::String(s)) if options.contains(&s.as_str()) => {
            Ok(FieldValue::Text(s.clone()))
        }
        (Kind::Choice(options), _) => Err(format!("must be one of: {}", options.join(", "))),
        (Kind::Number | Kind::Integer, Value::Number(n)) => {
            validate_number(n, field.kind() == Kind::Integer).map(FieldValue::Number)
        }
        (Kind::Number, _) => Err("must be a number".into()),
        (Kind::Integer, _) => Err("must be a whole number".into()),
    }
}

fn validate_number(n: &Number, integer: bool) -> Result<Number, String> {
    let range = || format!("must be 0 or from {MIN_POSITIVE_NUMBER} to {MAX_NUMBER:.0}");
    if let Some(u) = n.as_u64() {
        return if u as f64 <= MAX_NUMBER {
            Ok(n.clone())
        } else {
            Err(range())
        };
    }
    if n.as_i64().is_some() {
        return Err(range());
    }
    // serde_json refuses non-finite numbers while parsing, so this is a finite float.
    let f = n.as_f64().ok_or_else(range)?;
    if f == 0.0 {
        return Ok(Number::from(0u64));
    }
    if !(MIN_POSITIVE_NUMBER..=MAX_NUMBER).contains(&f) {
        return Err(range());
    }
    if f.fract() == 0.0 {
        // `5.0` is the whole number 5; store and return it as such.
        return Ok(Number::from(f as u64));
    }
    if integer {
        return Err("must be a whole number".into());
    }
    Ok(n.clone())
}

/// A whole number as JSON spells it: `4`, or `4.0` (an integer to JSON Schema too).
pub fn whole_number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=MAX_NUMBER).contains(f))
            .map(|f| f as u64)
    })
}

/// A wizard step, 1..=4.
pub fn validate_step(value: &Value) -> Result<u8, String> {
    whole_number(value)
        .filter(|s| (u64::from(FIRST_STEP)..=u64::from(LAST_STEP)).contains(s))
        .map(|s| s as u8)
        .ok_or_else(|| format!("must be a whole number from {FIRST_STEP} to {LAST_STEP}"))
}

/// Completed steps, de-duplicated and sorted: the original design's hook appends a step each
/// time it saves.
pub fn validate_steps(value: &Value) -> Result<Vec<u8>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("must be an array of steps from {FIRST_STEP} to {LAST_STEP}"))?;
    if items.len() > 1000 {
        return Err("must have at most 1000 entries".into());
    }
    let steps = items
        .iter()
        .map(validate_step)
        .collect::<Result<BTreeSet<u8>, _>>()
        .map_err(|_| format!("must be an array of steps from {FIRST_STEP} to {LAST_STEP}"))?;
    Ok(steps.into_iter().collect())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_ids_are_accepted_only_in_canonical_v4_form() {
        let id = SessionId::generate().to_string();
        assert!(SessionId::parse(&id).is_some());
        assert!(SessionId::parse(&id.to_uppercase()).is_none());
        assert!(SessionId::parse(&format!("{{{id}}}")).is_none());
        assert!(SessionId::parse(&format!("urn:uuid:{id}")).is_none());
        assert!(SessionId::parse(&id.replace('-', "")).is_none());
        // A version 1 UUID is well-formed but not random.
        assert!(SessionId::parse("c232ab00-9414-11ec-b3c8-9f6bdeced846").is_none());
        assert!(SessionId::parse("").is_none());
        assert!(SessionId::parse("../etc/passwd").is_none());
    }

    #[test]
    fn log_tags_do_not_contain_the_id() {
        let id = SessionId::generate();
        let tag = id.log_tag();
        assert_eq!(tag.len(), 8);
        assert!(!id.to_string().contains(&tag));
        assert_eq!(tag, id.log_tag());
    }

    #[test]
    fn text_fields_are_bounded_but_not_format_checked() {
        assert!(validate_value(Field::ClientEmail, &json!("half-typed@")).is_ok());
        assert!(validate_value(Field::ClientEmail, &json!("a".repeat(255))).is_err());
        assert_eq!(
            validate_value(Field::ProjectName, &json!(5)),
            Err("must be a string".to_string())
        );
    }

    #[test]
    fn numbers_must_be_finite_non_negative_and_whole_where_counted() {
        let ok = |f, v| validate_value(f, &v).is_ok();
        assert!(ok(Field::SquareFootage, json!(1200.5)));
        assert!(ok(Field::Budget, json!(0)));
        assert!(!ok(Field::Budget, json!(-1)));
        assert!(!ok(Field::Budget, json!(-0.5)));
        assert!(!ok(Field::Budget, json!(1e16)));
        assert!(!ok(Field::Budget, json!("100")));
        // Float noise from JavaScript arithmetic is kept exactly as sent.
        assert!(ok(Field::Budget, json!(0.30000000000000004)));
        assert!(!ok(Field::Budget, json!(1e-7)));
        assert!(ok(Field::Budget, json!(-0.0)));
        assert!(!ok(Field::NumberOfFloors, json!(2.5)));
        assert_eq!(
            validate_value(Field::NumberOfFloors, &json!(3.0)),
            Ok(FieldValue::Number(3.into()))
        );
    }

    #[test]
    fn priority_takes_only_low_medium_or_high() {
        assert!(validate_value(Field::Priority, &json!("high")).is_ok());
        assert!(validate_value(Field::Priority, &json!("urgent")).is_err());
    }

    #[test]
    fn completed_steps_are_deduplicated_and_sorted() {
        assert_eq!(validate_steps(&json!([2, 1, 2, 1, 3])), Ok(vec![1, 2, 3]));
        assert_eq!(validate_steps(&json!([2.0, 1])), Ok(vec![1, 2]));
        assert!(validate_steps(&json!([1.5])).is_err());
        assert!(validate_steps(&json!([0])).is_err());
        assert!(validate_steps(&json!([5])).is_err());
        assert!(validate_steps(&json!("1,2")).is_err());
    }

    #[test]
    fn a_patch_merges_fields_removes_nulls_and_slides_the_expiry() {
        let policy = ExpiryPolicy::new(Duration::seconds(60), Duration::seconds(3600));
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut session = NewSession {
            project_data: [
                (Field::ProjectName, FieldValue::Text("A".into())),
                (Field::Budget, FieldValue::Number(5.into())),
            ]
            .into(),
            ..Default::default()
        }
        .into_session(SessionId::generate(), t0, &policy);
        let patch = SessionPatch {
            project_data: [
                (Field::ClientName, Some(FieldValue::Text("B".into()))),
                (Field::Budget, None),
            ]
            .into(),
            completed_steps: Some(vec![1]),
            ..Default::default()
        };
        let t1 = t0 + Duration::seconds(30);
        patch.apply(&mut session, t1, &policy);
        assert_eq!(session.project_data.len(), 2);
        assert_eq!(
            session.project_data.get(&Field::ProjectName),
            Some(&FieldValue::Text("A".into()))
        );
        assert!(!session.project_data.contains_key(&Field::Budget));
        assert_eq!(session.current_step, 1);
        assert_eq!(session.completed_steps, vec![1]);
        assert_eq!(session.expires_at, t1 + Duration::seconds(60));
        assert_eq!(session.version, 2);
    }

    #[test]
    fn an_active_session_still_ends_at_its_absolute_cap() {
        let policy = ExpiryPolicy::new(Duration::seconds(60), Duration::seconds(100));
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut session = NewSession::default().into_session(SessionId::generate(), t0, &policy);
        assert_eq!(session.live_until(), t0 + Duration::seconds(60));
        let t1 = t0 + Duration::seconds(50);
        SessionPatch::default().apply(&mut session, t1, &policy);
        // Idle expiry slid to t0+110, but the cap at t0+100 wins, also as stored.
        assert_eq!(session.live_until(), t0 + Duration::seconds(100));
        assert_eq!(session.expires_at, t0 + Duration::seconds(100));
        assert!(!session.is_expired(t0 + Duration::seconds(99)));
        assert!(session.is_expired(t0 + Duration::seconds(100)));
    }

    #[test]
    fn a_session_is_expired_from_its_expiry_instant_on() {
        let t = Utc::now();
        assert!(is_expired(t, t));
        assert!(!is_expired(t + Duration::seconds(1), t));
    }
    #[test]
    fn an_idempotency_key_names_one_draft_and_its_body_one_create() {
        let key = IdempotencyKey::parse("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"").unwrap();
        let bare = IdempotencyKey::parse("8e03978e-40d5-43e8-bc93-6894a57f9324").unwrap();
        assert_eq!(key, bare, "quoted and bare spellings are one key");
        let id = key.session_id(None);
        assert_eq!(
            SessionId::parse(&id.to_string()),
            Some(id),
            "a canonical v4 id"
        );
        assert_eq!(id, bare.session_id(None));
        let owner = Owner::parse("user-1").unwrap();
        assert_ne!(
            id,
            bare.session_id(Some(&owner)),
            "another owner's key names another draft"
        );
        let other = IdempotencyKey::parse("0b0e7d2c-5a1f-4c3e-9f2d-1e6a7b8c9d0e").unwrap();
        assert_ne!(id, other.session_id(None));
        let upper = IdempotencyKey::parse("8E03978E-40D5-43E8-BC93-6894A57F9324").unwrap();
        assert_eq!(upper, bare, "one key in either case");
        assert_eq!(
            CreateToken::for_key(&key, b"{}"),
            CreateToken::for_key(&bare, b"{}")
        );
        assert_ne!(
            CreateToken::for_key(&key, b"{}"),
            CreateToken::for_key(&key, b"[]")
        );
        assert_ne!(CreateToken::random(), CreateToken::random());
    }

    #[test]
    fn an_idempotency_key_is_a_uuid_and_nothing_easier_to_guess() {
        for bad in [
            "",
            "\"\"",
            "1",
            "order-1234",
            "has space",
            "8e03978e40d543e8bc936894a57f9324",
            "{8e03978e-40d5-43e8-bc93-6894a57f9324}",
            "\"8e03978e-40d5-43e8-bc93-6894a57f9324",
            // Not random: nil, max, time-based (v1, v7), name-based (v5), v4 bits in another
            // variant.
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "8e03978e-40d5-13e8-bc93-6894a57f9324",
            "0190b8c2-7a6e-7c3d-9f21-4b5e6a7c8d9e",
            "8e03978e-40d5-53e8-bc93-6894a57f9324",
            "8e03978e-40d5-43e8-cc93-6894a57f9324",
        ] {
            assert_eq!(IdempotencyKey::parse(bad), None, "{bad:?}");
        }
    }
}
