//! Request bodies to domain values. Problems are reported by field, the first
//! `MAX_LISTED_PROBLEMS` of them with a count of the rest, and no message repeats what the
//! client sent beyond a (shortened) field name. Decoding takes time linear in the body: member
//! names meet a hash map, never a scan of the names before them.

use std::borrow::Cow;
use std::collections::hash_map::{Entry, HashMap};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

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

/// A JSON object whose keys are kept in order with duplicates flagged: serde_json's own
/// `Map` keeps the last of two equal keys silently, which would hide a confused client. A
/// repeated name is in `duplicates` once and keeps its first entry.
#[derive(Debug, Default)]
struct StrictObject {
    entries: Vec<(String, Member)>,
    duplicates: Vec<String>,
}

/// A member name as the duplicate check holds it. Its comparisons are counted in tests, which
/// check that decoding stays linear by counting them rather than timing it.
struct Name(String);

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        #[cfg(test)]
        tests::count_comparison();
        self.0 == other.0
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[derive(Debug)]
enum Member {
    Value(Value),
    Nested(Nested),
    /// The value of a repeated name, unless an object: the name's one problem is the
    /// repetition.
    Repeated,
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
        // Name -> its entry, and whether it is already listed as a duplicate.
        let mut seen = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let member = if NESTED_OBJECTS.contains(&key.as_str()) {
                Member::Nested(map.next_value::<Nested>()?)
            } else {
                Member::Value(map.next_value()?)
            };
            match seen.entry(Name(key)) {
                Entry::Vacant(slot) => {
                    object.entries.push((slot.key().0.clone(), member));
                    slot.insert((object.entries.len() - 1, false));
                }
                Entry::Occupied(mut slot) => {
                    let (index, listed) = slot.get_mut();
                    if !*listed {
                        *listed = true;
                        let (name, first) = &mut object.entries[*index];
                        object.duplicates.push(name.clone());
                        // What a repeated object holds is still checked.
                        if !matches!(first, Member::Nested(Nested::Object(_))) {
                            *first = Member::Repeated;
                        }
                    }
                }
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
            (_, Member::Repeated) => {}
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
            (_, Member::Repeated) => {}
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

/// Field problems gathered while decoding, reported together: the first
/// `MAX_LISTED_PROBLEMS` paths found, each with its first problem, and how many more fields
/// had one. A field has one problem at its own path (a repeated one, the repetition), so
/// counting problems counts fields.
#[derive(Default)]
struct Problems {
    listed: BTreeMap<String, String>,
    left_out: usize,
}

impl Problems {
    fn new(object: &StrictObject) -> Self {
        let mut problems = Problems::default();
        for name in &object.duplicates {
            problems.add(short(name), "duplicate field");
        }
        problems
    }

    fn add(&mut self, path: Cow<str>, message: impl Into<String>) {
        // Two fields share a path only when long names are cut alike; the first is listed.
        if self.listed.contains_key(path.as_ref()) {
            return;
        }
        if self.listed.len() < MAX_LISTED_PROBLEMS && path != MORE_PROBLEMS {
            self.listed.insert(path.into_owned(), message.into());
        } else {
            self.left_out += 1;
        }
    }

    fn unknown(&mut self, name: &str) {
        self.add(short(name), "unknown field");
    }

    fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        self.check_path(key.to_string(), result)
    }

    fn check_path<T>(&mut self, path: String, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.add(path.into(), message))
            .ok()
    }

    fn finish<T>(mut self, value: T) -> Result<T, DecodeError> {
        if self.left_out > 0 {
            let count = match self.left_out {
                1 => "1 more problem not listed".to_string(),
                n => format!("{n} more problems not listed"),
            };
            self.listed.insert(MORE_PROBLEMS.into(), count);
        }
        if self.listed.is_empty() {
            Ok(value)
        } else {
            Err(DecodeError::Invalid(self.listed))
        }
    }
}

fn short(name: &str) -> Cow<'_, str> {
    if name.chars().count() <= MAX_ECHOED_NAME {
        name.into()
    } else {
        let cut: String = name.chars().take(MAX_ECHOED_NAME).collect();
        format!("{cut}…").into()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::api::ApiError;
    use crate::domain::FieldValue;

    thread_local! {
        static COMPARISONS: Cell<usize> = const { Cell::new(0) };
    }

    pub(super) fn count_comparison() {
        COMPARISONS.with(|c| c.set(c.get() + 1));
    }

    /// Name comparisons made by `decode` on this thread.
    fn comparisons(decode: impl FnOnce()) -> usize {
        COMPARISONS.with(|c| c.set(0));
        decode();
        COMPARISONS.with(Cell::get)
    }

    fn object(members: impl Iterator<Item = String>) -> String {
        format!("{{{}}}", members.collect::<Vec<_>>().join(","))
    }

    fn unknown_keys(n: usize) -> String {
        object((0..n).map(|i| format!(r#""unknownField{i:04}":1"#)))
    }

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

    #[test]
    fn the_400_for_a_thousand_unknown_keys_lists_twenty_and_counts_the_rest() {
        let body = unknown_keys(1000);
        let found = details(decode_update(body.as_bytes()));
        assert_eq!(found.len(), MAX_LISTED_PROBLEMS + 1, "{found:?}");
        assert_eq!(found[MORE_PROBLEMS], "980 more problems not listed");
        assert!(found
            .iter()
            .filter(|(path, _)| *path != MORE_PROBLEMS)
            .all(|(path, problem)| path.starts_with("unknownField") && problem == "unknown field"));
        let reply = ApiError::from(DecodeError::Invalid(found)).into_response();
        assert!(
            reply.body().len() < body.len(),
            "a {} byte reply to a {} byte request",
            reply.body().len(),
            body.len()
        );
    }

    #[test]
    fn the_first_problems_found_are_listed_as_before() {
        let unknown = (0..30).map(|i| format!(r#""u{i:02}":1"#));
        let body = object(
            [
                r#""currentStep":0"#.to_string(),
                r#""sessionId":"x""#.to_string(),
            ]
            .into_iter()
            .chain(unknown),
        );
        let found = details(decode_update(body.as_bytes()));
        assert_eq!(
            found["currentStep"],
            details(decode_update(br#"{"currentStep":0}"#))["currentStep"]
        );
        assert_eq!(found["sessionId"], ID_RULE);
        assert_eq!(found["u17"], "unknown field");
        assert!(!found.contains_key("u18"), "{found:?}");
        assert_eq!(found[MORE_PROBLEMS], "12 more problems not listed");
        let twenty = object((0..20).map(|i| format!(r#""u{i:02}":1"#)));
        assert!(!details(decode_update(twenty.as_bytes())).contains_key(MORE_PROBLEMS));
    }

    #[test]
    fn a_field_left_out_is_counted_once_however_many_problems_it_has() {
        // Each key is unknown and repeated: two problems, one path.
        let body =
            object((0..30).flat_map(|i| [format!(r#""u{i:02}":1"#), format!(r#""u{i:02}":2"#)]));
        let found = details(decode_new_session(body.as_bytes()));
        assert_eq!(found["u00"], "duplicate field");
        assert_eq!(found[MORE_PROBLEMS], "10 more problems not listed");
    }

    #[test]
    fn a_repeated_object_is_still_checked() {
        let found = details(decode_update(
            br#"{"projectData":{"budget":"x","budget":1},"projectData":null,"sessionId":1,"sessionId":2}"#,
        ));
        assert_eq!(
            found,
            BTreeMap::from([
                ("projectData".into(), "duplicate field".into()),
                ("projectData.budget".into(), "duplicate field".into()),
                ("sessionId".into(), "duplicate field".into()),
            ])
        );
    }

    #[test]
    fn a_field_named_like_the_count_is_counted_not_listed() {
        let found = details(decode_new_session(r#"{"…":1,"other":1}"#.as_bytes()));
        assert_eq!(found["other"], "unknown field");
        assert_eq!(found[MORE_PROBLEMS], "1 more problem not listed");
    }

    #[test]
    fn decoding_compares_each_name_a_bounded_number_of_times_however_many_there_are() {
        // A hash map compares a name only with an equal one (once per repeat) or one sharing
        // its 7-bit hash tag (about 0.1 per name; seeds vary by run). Scanning the names
        // before it makes n * (n - 1) / 2.
        for n in [1_000, 5_000] {
            let bodies = [
                ("distinct unknown keys", unknown_keys(n)),
                (
                    "one key repeated",
                    object((0..n).map(|_| r#""budget":1"#.to_string())),
                ),
                (
                    "distinct keys in projectData",
                    format!(r#"{{"projectData":{}}}"#, unknown_keys(n)),
                ),
                (
                    "distinct keys, each twice",
                    object((0..n).map(|i| format!(r#""u{}":1"#, i / 2))),
                ),
            ];
            for (what, body) in bodies {
                for decode in [
                    |b: &[u8]| drop(decode_update(b)),
                    |b: &[u8]| drop(decode_new_session(b)),
                ] {
                    let made = comparisons(|| decode(body.as_bytes()));
                    assert!(made <= 2 * n, "{made} comparisons for {n} members: {what}");
                }
            }
        }
    }
}
