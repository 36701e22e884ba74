//! Request bodies to domain values. Problems are reported by field, the first
//! `MAX_LISTED_PROBLEMS` of them with a count of the rest, and no message repeats what the
//! client sent beyond a (shortened) field name. Decoding takes time linear in the body: member
//! names meet a hash map, never a scan of the names before them.
//!
//! One job per file: `strict` reads JSON keeping duplicate member names, `problems` gathers
//! what is wrong by field; this file holds the API's body rules.

use std::collections::BTreeMap;

use crate::domain::{
    parse_step, parse_steps, parse_value, whole_number, Field, NewSession, ProjectData, SessionId,
    SessionPatch,
};

mod problems;
mod strict;

use problems::{short, Problems};
use strict::{Member, Nested, StrictObject};

/// Bodies above this are refused before parsing. A full draft is under 7 KiB of text; the
/// limit leaves room for JSON escapes without letting a client make us parse megabytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Field names longer than this are cut when echoed in an error.
const MAX_ECHOED_NAME: usize = 64;

/// Problems listed in a 400 at most: a body of thousands of unknown keys gets a short answer.
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// The `details` key that counts the problems left out. A client's own field of this name is
/// counted there too, never listed, so the count stays true.
pub const MORE_PROBLEMS: &str = "…";

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON, or not the JSON object the route takes.
    Malformed(String),
    /// Well-formed JSON with invalid fields: field path -> problem.
    Invalid(BTreeMap<String, String>),
}

/// What an update body carries besides the patch: the original design sends `sessionId` in the
/// body.
#[derive(Debug, Default, PartialEq)]
pub struct UpdateBody {
    pub session_id: Option<SessionId>,
    pub patch: SessionPatch,
}

/// `POST /project-session`. An empty body asks for the defaults.
pub fn decode_new_session(body: &[u8]) -> Result<NewSession, DecodeError> {
    let mut new = NewSession::default();
    let Some(object) = parse(body)? else {
        return Ok(new);
    };
    let mut errors = Problems::new(&object);
    for (key, member) in &object.entries {
        match (key.as_str(), member) {
            (_, Member::Repeated) => {}
            ("projectData", Member::Nested(nested)) => {
                new.project_data = project_data(nested, &mut errors)
                    .into_iter()
                    .filter_map(|(field, value)| value.map(|v| (field, v)))
                    .collect::<ProjectData>();
            }
            ("currentStep", Member::Value(v)) if !v.is_null() => {
                new.current_step = errors.check(key, parse_step(v));
            }
            ("completedSteps", Member::Value(v)) if !v.is_null() => {
                new.completed_steps = errors.check(key, parse_steps(v));
            }
            ("currentStep" | "completedSteps", _) => {}
            _ => errors.unknown(key),
        }
    }
    errors.finish(new)
}

/// `PUT /project-session[/{sessionId}]`.
pub fn decode_update(body: &[u8]) -> Result<UpdateBody, DecodeError> {
    let mut update = UpdateBody::default();
    let Some(object) = parse(body)? else {
        return Ok(update);
    };
    let mut errors = Problems::new(&object);
    for (key, member) in &object.entries {
        match (key.as_str(), member) {
            (_, Member::Repeated) => {}
            ("sessionId", Member::Value(v)) => {
                let id = v.as_str().and_then(SessionId::parse);
                update.session_id = errors.check(key, id.ok_or_else(|| ID_RULE.to_string()));
            }
            ("projectData", Member::Nested(nested)) => {
                update.patch.project_data = project_data(nested, &mut errors);
            }
            ("currentStep", Member::Value(v)) if !v.is_null() => {
                update.patch.current_step = errors.check(key, parse_step(v));
            }
            ("completedSteps", Member::Value(v)) if !v.is_null() => {
                update.patch.completed_steps = errors.check(key, parse_steps(v));
            }
            ("expectedVersion", Member::Value(v)) if !v.is_null() => {
                let version = whole_number(v).filter(|n| *n >= 1);
                if let Some(version) = errors.check(
                    key,
                    version.ok_or_else(|| "must be a whole number from 1".to_string()),
                ) {
                    update.patch.expected_versions.insert(version);
                }
            }
            ("currentStep" | "completedSteps" | "expectedVersion", _) => {}
            _ => errors.unknown(key),
        }
    }
    errors.finish(update)
}

/// What a session id must look like, said the same way everywhere.
pub const ID_RULE: &str = "must be a UUID v4 in canonical form (lowercase, hyphenated)";

/// `projectData` fields: `Some` sets, `None` (JSON null) removes.
fn project_data(
    nested: &Nested,
    errors: &mut Problems,
) -> BTreeMap<Field, Option<crate::domain::FieldValue>> {
    let mut data = BTreeMap::new();
    let object = match nested {
        Nested::Object(object) => object,
        Nested::Null => return data,
        Nested::Other => {
            errors.add("projectData".into(), "must be an object");
            return data;
        }
    };
    for name in &object.duplicates {
        errors.add(
            format!("projectData.{}", short(name)).into(),
            "duplicate field",
        );
    }
    for (name, member) in &object.entries {
        if matches!(member, Member::Repeated) {
            continue;
        }
        let path = format!("projectData.{}", short(name));
        let Some(field) = Field::from_name(name) else {
            errors.add(path.into(), "unknown field");
            continue;
        };
        let Member::Value(value) = member else {
            continue;
        };
        if value.is_null() {
            data.insert(field, None);
        } else if let Some(v) = errors.check_path(path, parse_value(field, value)) {
            data.insert(field, Some(v));
        }
    }
    data
}

fn parse(body: &[u8]) -> Result<Option<StrictObject>, DecodeError> {
    if body.is_empty() {
        return Ok(None);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| DecodeError::Malformed("the body is not valid UTF-8".into()))?;
    serde_json::from_str::<StrictObject>(text)
        .map(Some)
        .map_err(|e| DecodeError::Malformed(format!("malformed JSON: {e}")))
}

#[cfg(test)]
mod tests;
