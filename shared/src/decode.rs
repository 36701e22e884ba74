//! Request bodies to domain values. Every problem found is reported by field, and no message
//! repeats what the client sent beyond a (shortened) field name.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::domain::{
    validate_step, validate_steps, validate_value, whole_number, Field, NewSession, ProjectData,
    SessionId, SessionPatch,
};

/// Bodies above this are refused before parsing. A full draft is under 7 KiB of text; the
/// limit leaves room for JSON escapes without letting a client make us parse megabytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Field names longer than this are cut when echoed in an error.
const MAX_ECHOED_NAME: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON, or not the JSON object the route takes.
    Malformed(String),
    /// Well-formed JSON with invalid fields: field path -> problem.
    Invalid(BTreeMap<String, String>),
}

/// A JSON object whose keys are kept in order with duplicates flagged: serde_json's own
/// `Map` keeps the last of two equal keys silently, which would hide a confused client.
#[derive(Debug, Default)]
struct StrictObject {
    entries: Vec<(String, Member)>,
    duplicates: Vec<String>,
}

#[derive(Debug)]
enum Member {
    Value(Value),
    Nested(Nested),
}

/// A member that should be an object (`projectData`), read strictly too.
#[derive(Debug)]
enum Nested {
    Object(StrictObject),
    Null,
    Other,
}

/// Members whose value is itself read strictly (duplicate keys flagged).
const NESTED_OBJECTS: [&str; 1] = ["projectData"];

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictObject;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictObject, A::Error> {
        let mut object = StrictObject::default();
        while let Some(key) = map.next_key::<String>()? {
            let member = if NESTED_OBJECTS.contains(&key.as_str()) {
                Member::Nested(map.next_value::<Nested>()?)
            } else {
                Member::Value(map.next_value()?)
            };
            if object.entries.iter().any(|(k, _)| *k == key) {
                object.duplicates.push(key);
            } else {
                object.entries.push((key, member));
            }
        }
        Ok(object)
    }

    // Anything but an object: refuse without quoting the value (serde's default message would).
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_unit<E: de::Error>(self) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<StrictObject, A::Error> {
        Err(not_an_object())
    }
}

fn not_an_object<E: de::Error>() -> E {
    E::custom("the body must be a JSON object")
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NestedVisitor;
        impl<'de> Visitor<'de> for NestedVisitor {
            type Value = Nested;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Nested, A::Error> {
                StrictVisitor.visit_map(map).map(Nested::Object)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Nested, E> {
                Ok(Nested::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Nested, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Nested::Other)
            }
        }
        deserializer.deserialize_any(NestedVisitor)
    }
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
            ("projectData", Member::Nested(nested)) => {
                new.project_data = project_data(nested, &mut errors)
                    .into_iter()
                    .filter_map(|(field, value)| value.map(|v| (field, v)))
                    .collect::<ProjectData>();
            }
            ("currentStep", Member::Value(v)) if !v.is_null() => {
                new.current_step = errors.check(key, validate_step(v));
            }
            ("completedSteps", Member::Value(v)) if !v.is_null() => {
                new.completed_steps = errors.check(key, validate_steps(v));
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
            ("sessionId", Member::Value(v)) => {
                let id = v.as_str().and_then(SessionId::parse);
                update.session_id = errors.check(key, id.ok_or_else(|| ID_RULE.to_string()));
            }
            ("projectData", Member::Nested(nested)) => {
                update.patch.project_data = project_data(nested, &mut errors);
            }
            ("currentStep", Member::Value(v)) if !v.is_null() => {
                update.patch.current_step = errors.check(key, validate_step(v));
            }
            ("completedSteps", Member::Value(v)) if !v.is_null() => {
                update.patch.completed_steps = errors.check(key, validate_steps(v));
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
            errors.add("projectData".into(), "must be an object".into());
            return data;
        }
    };
    for name in &object.duplicates {
        errors.add(
            format!("projectData.{}", short(name)),
            "duplicate field".into(),
        );
    }
    for (name, member) in &object.entries {
        let path = format!("projectData.{}", short(name));
        let Some(field) = Field::from_name(name) else {
            errors.add(path, "unknown field".into());
            continue;
        };
        let Member::Value(value) = member else {
            continue;
        };
        if value.is_null() {
            data.insert(field, None);
        } else if let Some(v) = errors.check_path(path, validate_value(field, value)) {
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

/// Field problems gathered while decoding, reported together.
struct Problems(BTreeMap<String, String>);

impl Problems {
    fn new(object: &StrictObject) -> Self {
        let mut problems = Problems(BTreeMap::new());
        for name in &object.duplicates {
            problems.add(short(name), "duplicate field".into());
        }
        problems
    }

    fn add(&mut self, path: String, message: String) {
        self.0.entry(path).or_insert(message);
    }

    fn unknown(&mut self, name: &str) {
        self.add(short(name), "unknown field".into());
    }

    fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        self.check_path(key.to_string(), result)
    }

    fn check_path<T>(&mut self, path: String, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.add(path, message)).ok()
    }

    fn finish<T>(self, value: T) -> Result<T, DecodeError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(DecodeError::Invalid(self.0))
        }
    }
}

fn short(name: &str) -> String {
    if name.chars().count() <= MAX_ECHOED_NAME {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX_ECHOED_NAME).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldValue;

    fn details(result: Result<impl fmt::Debug, DecodeError>) -> BTreeMap<String, String> {
        match result {
            Err(DecodeError::Invalid(details)) => details,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn malformed(result: Result<impl fmt::Debug, DecodeError>) -> String {
        match result {
            Err(DecodeError::Malformed(message)) => message,
            other => panic!("expected a malformed body, got {other:?}"),
        }
    }

    #[test]
    fn an_empty_body_or_null_members_mean_the_defaults() {
        assert_eq!(decode_new_session(b""), Ok(NewSession::default()));
        let body = br#"{"projectData":null,"currentStep":null,"completedSteps":null}"#;
        assert_eq!(decode_new_session(body), Ok(NewSession::default()));
    }

    #[test]
    fn null_fields_are_removals_in_an_update_and_absent_in_a_create() {
        let update =
            decode_update(br#"{"projectData":{"budget":null,"projectName":"A"}}"#).unwrap();
        assert_eq!(
            update.patch.project_data,
            BTreeMap::from([
                (Field::ProjectName, Some(FieldValue::Text("A".into()))),
                (Field::Budget, None),
            ])
        );
        let new = decode_new_session(br#"{"projectData":{"budget":null}}"#).unwrap();
        assert!(new.project_data.is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = details(decode_update(
            br#"{"sessionId":"x","currentStep":0,"projectData":{"budget":"1","nope":1},"extra":1}"#,
        ));
        assert_eq!(found.len(), 5, "{found:?}");
        assert_eq!(found["projectData.nope"], "unknown field");
        assert_eq!(found["extra"], "unknown field");
    }

    #[test]
    fn a_non_object_project_data_is_a_field_error() {
        let found = details(decode_new_session(br#"{"projectData":[1,2]}"#));
        assert_eq!(found["projectData"], "must be an object");
    }

    #[test]
    fn errors_do_not_repeat_the_body() {
        let message = malformed(decode_update(br#""secret@example.com""#));
        assert!(!message.contains("secret"), "{message}");
        let long = "k".repeat(1000);
        let found = details(decode_update(format!(r#"{{"{long}":1}}"#).as_bytes()));
        let key = found.keys().next().unwrap();
        assert!(key.chars().count() <= MAX_ECHOED_NAME + 1, "{key}");
    }

    #[test]
    fn broken_json_is_malformed_not_a_panic() {
        for body in [
            &b"{"[..],
            b"{\"a\":1}}",
            b"\xff\xfe",
            br#"{"projectData":{"budget":1e400}}"#,
            b"nul",
        ] {
            malformed(decode_update(body));
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        malformed(decode_new_session(
            format!(r#"{{"currentStep":{deep}}}"#).as_bytes(),
        ));
    }

    #[test]
    fn duplicate_top_level_keys_are_refused() {
        let found = details(decode_new_session(br#"{"currentStep":1,"currentStep":2}"#));
        assert_eq!(found["currentStep"], "duplicate field");
    }
}
