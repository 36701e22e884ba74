//! The item layout (partition key `sessionId`): `projectData` M of the typed fields,
//! `currentStep` N, `completedSteps` L of N, `createdAt` and `lastActivity` N (epoch
//! milliseconds), `expiresAt` N (epoch seconds, the table's TTL attribute, pushed forward by
//! every write), `maxExpiresAt` N (epoch seconds, the absolute cap set at creation), `version` N
//! `createToken` S (see `CreateToken`), `schemaVersion` S (the field table's version at
//! the last write) and, in owned mode, `owner` S (the token's `sub`) and `title` (the title
//! field's value, for the index). A session to its item and back, and the condition under
//! which an item is a live draft.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde_json::{Number, Value};

use crate::domain::{
    is_expired, parse_value, Field, FieldValue, Owner, ProjectData, Session, SessionId,
    SCHEMA_VERSION,
};
use crate::store::StoreError;

/// The table's partition key, declared the same in `template.yaml`.
pub const KEY_ATTRIBUTE: &str = "sessionId";
/// The table's TTL attribute, declared the same in `template.yaml`.
pub const TTL_ATTRIBUTE: &str = "expiresAt";

pub(super) const PROJECT_DATA: &str = "projectData";
pub(super) const CURRENT_STEP: &str = "currentStep";
pub(super) const COMPLETED_STEPS: &str = "completedSteps";
pub const CREATED_AT: &str = "createdAt";
pub(super) const LAST_ACTIVITY: &str = "lastActivity";
pub(super) const VERSION: &str = "version";
pub(super) const MAX_EXPIRES_AT: &str = "maxExpiresAt";
/// The field table's version (`SCHEMA_VERSION`) of the deploy that wrote the item last, so that
/// an operator can find drafts written before a change of fields.
pub(super) const SCHEMA: &str = "schemaVersion";
/// Owned mode: the `sub` of the draft's owner (`Owner`).
pub const OWNER_ATTRIBUTE: &str = "owner";
/// The sparse index of owned drafts (`template.yaml`): partition key `owner`, sort key
/// `createdAt`, which no write changes, so an autosave rewrites the index entry in place (one
/// index write) instead of moving it (a delete and a put).
pub const OWNER_INDEX: &str = "byOwner";
/// Owned mode: the draft's title field (`Field::TITLE`) beside `projectData`, so that the
/// index holds the name a picker shows and not the whole draft: an index entry stays one write
/// unit however long the description grows.
pub const TITLE: &str = "title";
/// What the index keeps besides its keys and the table's: what a draft picker shows and what
/// tells a live draft.
pub const OWNER_INDEX_PROJECTION: [&str; 6] = [
    TITLE,
    CURRENT_STEP,
    LAST_ACTIVITY,
    TTL_ATTRIBUTE,
    MAX_EXPIRES_AT,
    DELETED,
];
/// The create that made the item (`CreateToken`): how a repeat of it is recognised.
pub(super) const CREATE_TOKEN: &str = "createToken";
/// The last update or delete applied, by its request's token: how an SDK retry of a write that
/// committed (its reply lost) tells its own write from another's.
pub(super) const LAST_WRITE: &str = "lastWrite";
/// Set by a delete, which leaves the item without its fields for the TTL sweep: see
/// `StoreDelete for DynamoStore`.
pub(super) const DELETED: &str = "deleted";
/// Owned mode: a deleted draft's owner, moved out of `owner` so that the draft leaves the
/// owner's index at once (the index is sparse on `owner`), and kept for a retried delete's answer.
pub(super) const DELETED_OWNER: &str = "deletedOwner";

/// Expression placeholders, so no attribute name ever meets DynamoDB's reserved words.
/// The TTL sweep is lazy, so a write checks both expiries itself.
pub(super) const LIVE_CONDITION: &str = "attribute_exists(#sessionId) \
     AND attribute_not_exists(#deleted) AND #expiresAt > :now AND #maxExpiresAt > :now";

/// The names `LIVE_CONDITION` uses.
pub(super) fn live_condition_names() -> HashMap<String, String> {
    HashMap::from([
        ("#sessionId".to_string(), KEY_ATTRIBUTE.to_string()),
        ("#deleted".to_string(), DELETED.to_string()),
        ("#expiresAt".to_string(), TTL_ATTRIBUTE.to_string()),
        ("#maxExpiresAt".to_string(), MAX_EXPIRES_AT.to_string()),
    ])
}

/// The condition that the item is the caller's: its owner's, or in anonymous mode, no one's
/// (so a stack switched from owned to anonymous mode does not open its owned drafts to anyone
/// with an id). Adds the names and values it uses.
pub(super) fn owner_condition(
    owner: Option<&Owner>,
    names: &mut HashMap<String, String>,
    values: &mut HashMap<String, AttributeValue>,
) -> &'static str {
    names.insert("#owner".into(), OWNER_ATTRIBUTE.into());
    match owner {
        Some(owner) => {
            values.insert(":owner".into(), AttributeValue::S(owner.as_str().into()));
            "#owner = :owner"
        }
        None => "attribute_not_exists(#owner)",
    }
}

/// Whether the item belongs to `owner` (`None`: to no one), the same test as `owner_condition`.
pub(super) fn is_owned_by(item: &HashMap<String, AttributeValue>, owner: Option<&Owner>) -> bool {
    let stored = item.get(OWNER_ATTRIBUTE).and_then(|v| v.as_s().ok());
    stored.map(String::as_str) == owner.map(Owner::as_str)
}

/// An item that does not have the shape this module writes.
#[derive(Debug, thiserror::Error)]
#[error("stored item has a missing or malformed `{0}` attribute")]
pub struct MalformedItem(pub(super) &'static str);

impl From<MalformedItem> for StoreError {
    fn from(e: MalformedItem) -> Self {
        StoreError::Failed(Box::new(e))
    }
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn key(id: SessionId) -> AttributeValue {
    AttributeValue::S(id.to_string())
}

/// Numbers go out without an exponent: Rust prints floats in plain decimal.
fn number_to_attribute(number: &Number) -> AttributeValue {
    match number.as_u64() {
        Some(u) => n(u),
        None => n(number.as_f64().unwrap_or(0.0)),
    }
}

pub(super) fn field_to_attribute(value: &FieldValue) -> AttributeValue {
    match value {
        FieldValue::Text(s) => AttributeValue::S(s.clone()),
        FieldValue::Number(number) => number_to_attribute(number),
    }
}

/// A stored attribute as JSON: numbers stay integers where they are whole.
fn attribute_to_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(s) => s
            .parse::<u64>()
            .map(Number::from)
            .ok()
            .or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64))
            .map_or(Value::Null, Value::Number),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::L(items) => Value::Array(items.iter().map(attribute_to_json).collect()),
        AttributeValue::M(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), attribute_to_json(v)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Splits stored fields into the ones this schema accepts, by name or old name (the current
/// name wins), and the rest, set aside as stored.
fn read_project_data(
    data: &HashMap<String, AttributeValue>,
) -> (ProjectData, BTreeMap<String, Value>) {
    let mut project_data = ProjectData::new();
    let mut set_aside = BTreeMap::new();
    let mut stored: Vec<_> = data.iter().collect();
    // Current names first, so that an old name never overwrites its field's newer value.
    stored.sort_by_key(|(name, _)| Field::ALL.iter().all(|f| f.name() != name.as_str()));
    for (name, attribute) in stored {
        let value = attribute_to_json(attribute);
        match Field::from_name(name) {
            Some(field) if !project_data.contains_key(&field) => match parse_value(field, &value) {
                Ok(valid) => {
                    project_data.insert(field, valid);
                }
                Err(_) => {
                    set_aside.insert(name.clone(), value);
                }
            },
            _ => {
                set_aside.insert(name.clone(), value);
            }
        }
    }
    (project_data, set_aside)
}

pub fn session_to_item(session: &Session) -> HashMap<String, AttributeValue> {
    let data = session
        .project_data
        .iter()
        .map(|(field, value)| (field.name().to_string(), field_to_attribute(value)))
        .collect();
    let mut item = HashMap::from([
        (KEY_ATTRIBUTE.to_string(), key(session.id)),
        (PROJECT_DATA.to_string(), AttributeValue::M(data)),
        (CURRENT_STEP.to_string(), n(session.current_step)),
        (COMPLETED_STEPS.to_string(), steps(&session.completed_steps)),
        (
            CREATED_AT.to_string(),
            n(session.created_at.timestamp_millis()),
        ),
        (
            LAST_ACTIVITY.to_string(),
            n(session.last_activity.timestamp_millis()),
        ),
        (TTL_ATTRIBUTE.to_string(), n(session.expires_at.timestamp())),
        (
            MAX_EXPIRES_AT.to_string(),
            n(session.max_expires_at.timestamp()),
        ),
        (VERSION.to_string(), n(session.version)),
        (
            SCHEMA.to_string(),
            AttributeValue::S(SCHEMA_VERSION.to_string()),
        ),
    ]);
    if let Some(owner) = &session.owner {
        item.insert(
            OWNER_ATTRIBUTE.to_string(),
            AttributeValue::S(owner.as_str().to_string()),
        );
        if let Some(title) = Field::TITLE.and_then(|f| session.project_data.get(&f)) {
            item.insert(TITLE.to_string(), field_to_attribute(title));
        }
    }
    item
}

pub(super) fn steps(steps: &[u8]) -> AttributeValue {
    AttributeValue::L(steps.iter().map(n).collect())
}

pub(super) fn number<T: std::str::FromStr>(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<T, MalformedItem> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|s| s.parse().ok())
        .ok_or(MalformedItem(name))
}

fn epoch_millis(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<DateTime<Utc>, MalformedItem> {
    DateTime::from_timestamp_millis(number(item, name)?).ok_or(MalformedItem(name))
}

fn epoch_seconds(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<DateTime<Utc>, MalformedItem> {
    DateTime::from_timestamp(number(item, name)?, 0).ok_or(MalformedItem(name))
}

/// When the item's draft ends: its idle expiry or its absolute cap, whichever is first.
pub(super) fn live_until(
    item: &HashMap<String, AttributeValue>,
) -> Result<DateTime<Utc>, MalformedItem> {
    Ok(epoch_seconds(item, TTL_ATTRIBUTE)?.min(epoch_seconds(item, MAX_EXPIRES_AT)?))
}

/// The draft's absolute cap.
pub(super) fn max_expires_at(
    item: &HashMap<String, AttributeValue>,
) -> Result<DateTime<Utc>, MalformedItem> {
    epoch_seconds(item, MAX_EXPIRES_AT)
}

/// The token of the create that made the item.
pub(super) fn create_token(item: &HashMap<String, AttributeValue>) -> Option<&str> {
    item.get(CREATE_TOKEN)?.as_s().ok().map(String::as_str)
}

/// The token of the last update or delete applied to the item.
pub(super) fn last_write(item: &HashMap<String, AttributeValue>) -> Option<&str> {
    item.get(LAST_WRITE)?.as_s().ok().map(String::as_str)
}

/// Live at `now`: neither deleted nor past either expiry (the TTL sweep is lazy).
pub(super) fn is_live(item: &HashMap<String, AttributeValue>, now: DateTime<Utc>) -> bool {
    !is_deleted(item) && live_until(item).is_ok_and(|at| !is_expired(at, now))
}

/// A draft that was deleted, kept only until the TTL sweep.
pub(super) fn is_deleted(item: &HashMap<String, AttributeValue>) -> bool {
    item.contains_key(DELETED)
}

/// One token per update or delete request, shared by the SDK's attempts of it.
pub(super) fn write_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub fn item_to_session(item: &HashMap<String, AttributeValue>) -> Result<Session, MalformedItem> {
    let id = item
        .get(KEY_ATTRIBUTE)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| SessionId::parse(s))
        .ok_or(MalformedItem(KEY_ATTRIBUTE))?;
    let data = item
        .get(PROJECT_DATA)
        .and_then(|v| v.as_m().ok())
        .ok_or(MalformedItem(PROJECT_DATA))?;
    let (project_data, set_aside) = read_project_data(data);
    let completed_steps = item
        .get(COMPLETED_STEPS)
        .and_then(|v| v.as_l().ok())
        .ok_or(MalformedItem(COMPLETED_STEPS))?
        .iter()
        .map(|v| v.as_n().ok().and_then(|s| s.parse().ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or(MalformedItem(COMPLETED_STEPS))?;
    Ok(Session {
        id,
        project_data,
        current_step: number(item, CURRENT_STEP)?,
        completed_steps,
        created_at: epoch_millis(item, CREATED_AT)?,
        last_activity: epoch_millis(item, LAST_ACTIVITY)?,
        expires_at: epoch_seconds(item, TTL_ATTRIBUTE)?,
        max_expires_at: epoch_seconds(item, MAX_EXPIRES_AT)?,
        version: number(item, VERSION)?,
        set_aside,
        owner: match item.get(OWNER_ATTRIBUTE) {
            None => None,
            Some(value) => Some(
                value
                    .as_s()
                    .ok()
                    .and_then(|s| Owner::parse(s))
                    .ok_or(MalformedItem(OWNER_ATTRIBUTE))?,
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ExpiryPolicy, NewSession};

    #[test]
    fn a_session_survives_the_round_trip_through_an_item() {
        let now = DateTime::from_timestamp_millis(1_800_000_000_123).unwrap();
        let session = NewSession {
            project_data: [
                (Field::ProjectName, FieldValue::Text("Tower".into())),
                (
                    Field::SquareFootage,
                    FieldValue::Number(Number::from_f64(1200.25).unwrap()),
                ),
                (Field::NumberOfFloors, FieldValue::Number(12.into())),
            ]
            .into(),
            current_step: Some(2),
            completed_steps: Some(vec![1]),
        }
        .into_session(SessionId::generate(), now, &ExpiryPolicy::default());
        let item = session_to_item(&session);
        assert_eq!(item[TTL_ATTRIBUTE], AttributeValue::N("1800086400".into()));
        assert_eq!(item_to_session(&item).unwrap(), session);
    }
}
