//! Each function may call exactly the DynamoDB operations its code makes, run against
//! DynamoDB Local; the owners' index is the one the adapter queries.

use super::*;

async fn run_handler(verb: Verb, store: &DynamoStore, req: Request) -> Response<Body> {
    handle(verb, store, &config(), req).await
}

/// A draft to run a verb on, made as `mode` makes it, and a request as API Gateway passes it.
async fn draft_and_event(store: &DynamoStore, mode: Mode, fixture: &str, sub: &str) -> Value {
    let reply = match mode {
        Mode::Anonymous => Reply::from(
            run_handler(
                Verb::CreateSession,
                store,
                request(&event("create-session.json", None)),
            )
            .await,
        ),
        Mode::Owned => Reply::from(
            handle(
                Verb::CreateSession,
                store,
                &owned_config(),
                request(&signed_in(event("create-session.json", None), sub)),
            )
            .await,
        ),
    };
    let id = reply.json["sessionId"]
        .as_str()
        .expect("a draft")
        .to_string();
    let ev = event(fixture, Some(&id));
    match mode {
        Mode::Anonymous => ev,
        Mode::Owned => signed_in(ev, sub),
    }
}

#[tokio::test]
async fn each_function_may_call_exactly_the_dynamodb_operations_its_code_makes() {
    for mode in MODES {
        operations_match_policies(mode).await;
    }
}

/// Each function, in `mode`, runs each of its `events/` fixtures against DynamoDB Local: its
/// IAM actions are exactly the operations it made; each verb is one request, but an owned
/// create, which counts the owner's drafts first (the per-owner cap).
async fn operations_match_policies(mode: Mode) {
    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME: run with scripts/test.sh");
    let client = client_from_env(3);
    let plain = DynamoStore::new(client.clone(), &table);
    let log = OperationLog::default();
    let logged = DynamoStore::new(log.attach(&client), &table);
    let config = match mode {
        Mode::Anonymous => config(),
        Mode::Owned => owned_config(),
    };
    // A person of this run's own: drafts stay in the table for a day, and count to the cap.
    let sub = format!("template-test-{}", uuid::Uuid::new_v4());

    for f in declared_functions(&template_in(mode)).values() {
        let verb = Verb::of_function(&f.binary).expect("every function is a verb");
        let fixtures: Vec<String> = std::fs::read_dir(root().join("events"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| {
                n.strip_suffix(".json")
                    .is_some_and(|s| s == f.binary || s.starts_with(&format!("{}-", f.binary)))
            })
            .collect();
        assert!(!fixtures.is_empty(), "{} has an event in events/", f.binary);
        let mut made = BTreeSet::new();
        for fixture in fixtures {
            let ev = draft_and_event(&plain, mode, &fixture, &sub).await;
            let (method, path) = ev["routeKey"].as_str().unwrap().split_once(' ').unwrap();
            assert!(
                f.routes.contains(&(method.to_string(), path.to_string())),
                "{fixture} is a route of {}",
                f.binary
            );
            log.take();
            let reply = Reply::from(handle(verb, &logged, &config, request(&ev)).await);
            assert!(
                reply.status.is_success(),
                "{mode:?} {fixture}: {}",
                reply.json
            );
            let operations = log.take();
            // One request per action: an owned create counts the owner's drafts first.
            let expected = verb.dynamodb_actions(mode == Mode::Owned).len();
            assert_eq!(
                operations.len(),
                expected,
                "{mode:?} {fixture}: DynamoDB requests made {operations:?}"
            );
            made.extend(operations.into_iter().map(|op| format!("dynamodb:{op}")));
        }
        assert_eq!(
            made, f.actions,
            "{mode:?} {}: IAM actions vs calls made",
            f.binary
        );
        let named: BTreeSet<String> = verb
            .dynamodb_actions(mode == Mode::Owned)
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            named, f.actions,
            "{mode:?} {}: IAM actions vs Verb",
            f.binary
        );
    }
}

#[tokio::test]
async fn a_refused_request_never_reaches_dynamodb() {
    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME: run with scripts/test.sh");
    let log = OperationLog::default();
    let store = DynamoStore::new(log.attach(&client_from_env(3)), &table);
    let id = "2B7D3F4E-5A6B-4C8D-9E0F-1A2B3C4D5E6F";
    let refused = [
        (Verb::GetSession, event("get-session.json", Some(id))),
        (Verb::DeleteSession, event("delete-session.json", Some(id))),
        (Verb::UpdateSession, event("update-session.json", Some(id))),
        (
            Verb::UpdateSession,
            with_body(
                event("update-session-seed.json", None),
                Some(r#"{"sessionId":"x"}"#),
            ),
        ),
        (
            Verb::CreateSession,
            with_body(
                event("create-session.json", None),
                Some(r#"{"currentStep":9}"#),
            ),
        ),
        (
            Verb::CreateSession,
            with_body(event("create-session.json", None), Some("{")),
        ),
    ];
    for (handler, ev) in refused {
        let reply = Reply::from(run_handler(handler, &store, request(&ev)).await);
        assert_eq!(reply.status.as_u16(), 400, "{handler:?}: {}", reply.json);
        assert_eq!(
            log.take(),
            Vec::<String>::new(),
            "{handler:?} called DynamoDB for a refused request"
        );
    }
}

#[test]
fn the_owners_index_is_the_one_the_adapter_queries() {
    let t = template();
    let table = &t["Resources"]["SessionsTable"]["Properties"];
    let index = table["GlobalSecondaryIndexes"]
        .as_vec()
        .and_then(|all| {
            all.iter()
                .find(|i| i["IndexName"].as_str() == Some(OWNER_INDEX))
        })
        .expect("the byOwner index");
    let keys: Vec<(&str, &str)> = index["KeySchema"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap(),
                k["KeyType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(keys, [(OWNER_ATTRIBUTE, "HASH"), (CREATED_AT, "RANGE")]);
    assert_eq!(
        index["Projection"]["ProjectionType"].as_str(),
        Some("INCLUDE")
    );
    let projected: BTreeSet<String> = strings(&index["Projection"]["NonKeyAttributes"])
        .into_iter()
        .collect();
    let adapter: BTreeSet<String> = OWNER_INDEX_PROJECTION
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(projected, adapter);
}
