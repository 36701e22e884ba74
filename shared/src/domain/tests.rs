//! The domain's rules, each a sentence.

use chrono::{DateTime, Duration, Utc};

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
    assert!(parse_value(Field::ClientEmail, &json!("half-typed@")).is_ok());
    assert!(parse_value(Field::ClientEmail, &json!("a".repeat(255))).is_err());
    assert_eq!(
        parse_value(Field::ProjectName, &json!(5)),
        Err("must be a string".to_string())
    );
}

#[test]
fn numbers_must_be_finite_non_negative_and_whole_where_counted() {
    let ok = |f, v| parse_value(f, &v).is_ok();
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
        parse_value(Field::NumberOfFloors, &json!(3.0)),
        Ok(FieldValue::Number(3.into()))
    );
}

#[test]
fn priority_takes_only_low_medium_or_high() {
    assert!(parse_value(Field::Priority, &json!("high")).is_ok());
    assert!(parse_value(Field::Priority, &json!("urgent")).is_err());
}

#[test]
fn completed_steps_are_deduplicated_and_sorted() {
    assert_eq!(parse_steps(&json!([2, 1, 2, 1, 3])), Ok(vec![1, 2, 3]));
    assert_eq!(parse_steps(&json!([2.0, 1])), Ok(vec![1, 2]));
    assert!(parse_steps(&json!([1.5])).is_err());
    assert!(parse_steps(&json!([0])).is_err());
    assert!(parse_steps(&json!([5])).is_err());
    assert!(parse_steps(&json!("1,2")).is_err());
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
