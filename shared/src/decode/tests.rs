//! The API's body rules and the strict reader, each a sentence.

use std::cell::Cell;
use std::fmt;

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
    let update = decode_update(br#"{"projectData":{"budget":null,"projectName":"A"}}"#).unwrap();
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
    let body = object((0..30).flat_map(|i| [format!(r#""u{i:02}":1"#), format!(r#""u{i:02}":2"#)]));
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
