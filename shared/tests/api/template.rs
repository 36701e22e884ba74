//! `template.yaml` checked against the code: the functions are the crates, API Gateway and
//! `cargo lambda watch` route the same requests to them, the table is the one the adapter
//! writes, and each function may call exactly the DynamoDB operations its code makes
//! (observed against DynamoDB Local, not assumed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lambda_http::{Body, Request, Response};
use project_session::dynamodb::{
    client_from_env, OperationLog, CREATED_AT, KEY_ATTRIBUTE, OWNER_ATTRIBUTE, OWNER_INDEX,
    OWNER_INDEX_PROJECTION, TTL_ATTRIBUTE,
};
use project_session::{DynamoStore, Verb};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::support::{config, event, handle, owned_config, request, signed_in, with_body, Reply};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `AuthMode`: what the stack deploys differs by it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Anonymous,
    Owned,
}

const MODES: [Mode; 2] = [Mode::Anonymous, Mode::Owned];

/// template.yaml as CloudFormation deploys it in `mode`: every condition decided by the
/// mode's parameters, `Fn::If` resolved, resources whose condition fails left out, as
/// AWS::LanguageExtensions does. `scripts/template_modes.py` makes these (for the linters too,
/// so both check the same resolution); the test command runs it first.
fn template_in(mode: Mode) -> Yaml {
    resolved(match mode {
        Mode::Anonymous => "defaults",
        Mode::Owned => "owned",
    })
}

/// One of `scripts/template_modes.py`'s parameter sets: defaults, owned, restored-table, all-on,
/// dev, prod...
fn resolved(name: &str) -> Yaml {
    let dir = root().join(".local/templates");
    let path = dir.join(format!("template-{name}.json"));
    let fresh = |p: &Path| {
        let made = std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let source = std::fs::metadata(root().join("template.yaml"))
            .and_then(|m| m.modified())
            .ok();
        made.zip(source)
            .is_some_and(|(made, source)| made >= source)
    };
    if !fresh(&path) {
        let status = std::process::Command::new("python3")
            .arg(root().join("scripts/template_modes.py"))
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "scripts/template_modes.py failed: it needs cfn-lint (run scripts/test.sh once)"
        );
    }
    let text = std::fs::read_to_string(&path).expect("a resolved template");
    let mut t = YamlLoader::load_from_str(&text)
        .expect("JSON is YAML")
        .remove(0);
    // What still has a condition is what this set does not create.
    if let Yaml::Hash(resources) = &mut t["Resources"] {
        resources.retain(|_, r| r["Condition"].is_badvalue());
    }
    t
}

/// A function's environment: the same for every function (one YAML anchor).
fn environment(t: &Yaml) -> Yaml {
    t["Resources"]["CreateSessionFunction"]["Properties"]["Environment"]["Variables"].clone()
}

fn template() -> Yaml {
    template_in(Mode::Anonymous)
}

/// What an intrinsic names: `{"Ref": X}` is X, `{"Fn::GetAtt": [A, B]}` is `A.B`,
/// `{"Fn::Sub": S}` is S; a plain string is itself.
fn named(yaml: &Yaml) -> Option<String> {
    if let Some(s) = yaml.as_str() {
        return Some(s.to_string());
    }
    if let Some(r) = yaml["Ref"].as_str() {
        return Some(r.to_string());
    }
    if let Some(parts) = yaml["Fn::GetAtt"].as_vec() {
        let parts: Vec<&str> = parts.iter().filter_map(Yaml::as_str).collect();
        return Some(parts.join("."));
    }
    yaml["Fn::Sub"].as_str().map(str::to_string)
}

/// What a function's policy may name: the table, or (owned mode) its owners' index.
const TABLE_RESOURCES: [&str; 2] = ["SessionsTable.Arn", "${SessionsTable.Arn}/index/byOwner"];

fn strings(yaml: &Yaml) -> Vec<String> {
    match yaml {
        Yaml::Array(items) => items.iter().flat_map(strings).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

/// A function as the template declares it.
#[derive(Debug)]
struct Declared {
    binary: String,
    routes: BTreeSet<(String, String)>,
    actions: BTreeSet<String>,
    log_group: String,
}

fn declared_functions(template: &Yaml) -> BTreeMap<String, Declared> {
    let resources = template["Resources"].as_hash().expect("Resources");
    resources
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|r| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("a Binary")
                .to_string();
            assert_eq!(
                r["Metadata"]["BuildMethod"].as_str(),
                Some("rust-cargolambda"),
                "{binary}"
            );
            let routes = r["Properties"]["Events"]
                .as_hash()
                .map(|events| {
                    events
                        .values()
                        .filter(|e| e["Type"].as_str() == Some("HttpApi"))
                        .map(|e| {
                            let p = &e["Properties"];
                            assert_eq!(p["PayloadFormatVersion"].as_str(), Some("2.0"), "{binary}");
                            (
                                p["Method"].as_str().unwrap().to_string(),
                                p["Path"].as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let actions = strings(&r["Properties"]["Policies"])
                .into_iter()
                .chain(
                    r["Properties"]["Policies"]
                        .as_vec()
                        .into_iter()
                        .flatten()
                        .flat_map(|p| p["Statement"].as_vec().cloned().unwrap_or_default())
                        .flat_map(|s| {
                            let resource = named(&s["Resource"]).unwrap_or_default();
                            assert!(
                                TABLE_RESOURCES.contains(&resource.as_str()),
                                "{binary}: only the table and its index, not {resource}"
                            );
                            strings(&s["Action"])
                        }),
                )
                .collect();
            let log_group =
                named(&r["Properties"]["LoggingConfig"]["LogGroup"]).unwrap_or_default();
            (
                binary.clone(),
                Declared {
                    binary,
                    routes,
                    actions,
                    log_group,
                },
            )
        })
        .collect()
}

fn function_crates() -> BTreeSet<String> {
    std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let manifest = std::fs::read_to_string(p.join("Cargo.toml")).unwrap();
            assert!(
                manifest.contains(&format!("name = \"{name}\"")),
                "{name}: package named as its folder"
            );
            name
        })
        .collect()
}

/// `[workspace.metadata.lambda.watch.router]`, read through `cargo metadata`.
fn watch_routes() -> BTreeSet<(String, String, String)> {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata");
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let router = metadata["metadata"]["lambda"]["watch"]["router"]
        .as_object()
        .expect("a watch router");
    router
        .iter()
        .flat_map(|(path, routes)| {
            routes
                .as_array()
                .expect("method routes")
                .iter()
                .map(move |r| {
                    (
                        r["method"].as_str().unwrap().to_string(),
                        path.clone(),
                        r["function"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect()
}

#[test]
fn every_template_function_is_a_crate_and_every_crate_a_function() {
    let declared: BTreeSet<String> = declared_functions(&template_in(Mode::Owned))
        .into_keys()
        .collect();
    assert_eq!(declared, function_crates());
    let verbs: BTreeSet<String> = Verb::ALL.iter().map(|v| v.function().to_string()).collect();
    assert_eq!(
        verbs,
        function_crates(),
        "Verb::ALL names every function crate"
    );
    // Anonymous drafts have no owner to list.
    let anonymous: BTreeSet<String> = declared_functions(&template()).into_keys().collect();
    let mut expected = function_crates();
    expected.remove("list-sessions");
    assert_eq!(anonymous, expected);
}

#[test]
fn api_gateway_and_cargo_lambda_watch_route_the_same_requests_to_the_same_functions() {
    // `cargo lambda watch` serves every route; the list answers 404 in anonymous mode.
    let functions = declared_functions(&template_in(Mode::Owned));
    let in_template: BTreeSet<(String, String, String)> = functions
        .values()
        .flat_map(|f| {
            f.routes
                .iter()
                .map(|(m, p)| (m.clone(), p.clone(), f.binary.clone()))
        })
        .collect();
    assert_eq!(in_template, watch_routes());
    let named: BTreeSet<(String, String, String)> = Verb::ALL
        .iter()
        .flat_map(|v| {
            v.routes().iter().map(move |r| {
                (
                    r.method.to_string(),
                    r.path.to_string(),
                    v.function().to_string(),
                )
            })
        })
        .collect();
    assert_eq!(
        named,
        watch_routes(),
        "Verb's routes are Cargo.toml's router"
    );
    for f in functions.values() {
        assert!(!f.routes.is_empty(), "{} has no route", f.binary);
    }
}

#[test]
fn the_table_has_the_key_and_ttl_attribute_the_adapter_writes() {
    let t = template();
    let table = &t["Resources"]["SessionsTable"]["Properties"];
    assert_eq!(
        table["KeySchema"][0]["AttributeName"].as_str(),
        Some(KEY_ATTRIBUTE)
    );
    assert_eq!(table["KeySchema"][0]["KeyType"].as_str(), Some("HASH"));
    assert_eq!(
        table["AttributeDefinitions"][0]["AttributeType"].as_str(),
        Some("S")
    );
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some(TTL_ATTRIBUTE)
    );
    assert_eq!(
        table["TimeToLiveSpecification"]["Enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        table["SSESpecification"]["SSEEnabled"].as_bool(),
        Some(true)
    );
}

#[test]
fn every_function_logs_to_a_group_with_a_retention() {
    let t = template();
    for f in declared_functions(&t).values() {
        let group = &t["Resources"][f.log_group.as_str()];
        assert_eq!(
            group["Type"].as_str(),
            Some("AWS::Logs::LogGroup"),
            "{}",
            f.binary
        );
        assert!(
            !group["Properties"]["RetentionInDays"].is_badvalue(),
            "{}",
            f.binary
        );
    }
}

#[test]
fn a_deploy_refuses_the_durations_a_cold_start_would_refuse() {
    let parameters = &template()["Parameters"];
    for name in ["SessionTtl", "SessionMaxLifetime"] {
        let max = parameters[name]["MaxValue"].as_i64();
        assert_eq!(
            max,
            Some(project_session::Config::MAX_DURATION_SECS),
            "{name}'s MaxValue is config.rs's bound"
        );
        let min = parameters[name]["MinValue"].as_i64().expect("a MinValue");
        assert!(min >= 1, "config.rs refuses 0 seconds: {name}");
    }
}

#[test]
fn the_api_lets_a_browser_send_if_match_and_read_the_etag() {
    let t = template();
    let cors = &t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    let allowed = strings(&cors["AllowHeaders"]);
    for header in ["Content-Type", "If-Match", "Idempotency-Key"] {
        assert!(allowed.iter().any(|h| h == header), "{header} is allowed");
    }
    assert!(
        !allowed.iter().any(|h| h == "Authorization"),
        "no tokens in anonymous mode"
    );
    let owned = template_in(Mode::Owned);
    let allowed =
        strings(&owned["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["AllowHeaders"]);
    assert!(
        allowed.iter().any(|h| h == "Authorization"),
        "owned mode takes the bearer token"
    );
    assert!(strings(&cors["ExposeHeaders"]).iter().any(|h| h == "ETag"));
    let methods = strings(&cors["AllowMethods"]);
    for (method, _, _) in watch_routes() {
        assert!(methods.contains(&method), "CORS allows {method}");
    }
}

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
fn in_owned_mode_every_route_but_health_needs_a_token_from_the_issuer() {
    let t = template_in(Mode::Owned);
    let auth = &t["Resources"]["HttpApi"]["Properties"]["Auth"];
    let default = auth["DefaultAuthorizer"]
        .as_str()
        .expect("a default authorizer");
    let jwt = &auth["Authorizers"][default];
    assert_eq!(
        jwt["IdentitySource"].as_str(),
        Some("$request.header.Authorization")
    );
    assert_eq!(
        named(&jwt["JwtConfiguration"]["issuer"]).as_deref(),
        Some("JwtIssuer")
    );
    assert_eq!(
        named(&jwt["JwtConfiguration"]["audience"]).as_deref(),
        Some("JwtAudience")
    );
    for (name, r) in t["Resources"].as_hash().unwrap() {
        for (_, e) in r["Properties"]["Events"].as_hash().into_iter().flatten() {
            let open = e["Properties"]["Auth"]["Authorizer"].as_str() == Some("NONE");
            let health = e["Properties"]["Path"].as_str() == Some("/health");
            assert_eq!(open, health, "{:?}: only /health is open", name.as_str());
        }
    }
    // Anonymous mode has no authorizer at all.
    assert!(template()["Resources"]["HttpApi"]["Properties"]["Auth"].is_badvalue());
    let env = environment(&t);
    assert_eq!(named(&env["AUTH_MODE"]).as_deref(), Some("AuthMode"));
    assert_eq!(
        named(&env["MAX_DRAFTS_PER_OWNER"]).as_deref(),
        Some("MaxDraftsPerOwner")
    );
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

#[test]
fn every_option_on_gives_gradual_releases_that_roll_back_alarms_that_say_what_to_do_and_safe_logs()
{
    let on = resolved("all-on");
    let function = &on["Globals"]["Function"];
    assert_eq!(function["AutoPublishAlias"].as_str(), Some("live"));
    let preference = &function["DeploymentPreference"];
    assert_eq!(
        named(&preference["Type"]).as_deref(),
        Some("DeploymentStrategy")
    );
    // Each function names its own guards (scripts/test_template_modes.py checks what SAM makes
    // of them: they exist, watch that function alone, and form no cycle).
    let resources = on["Resources"].as_hash().unwrap();
    let mut rollback = BTreeSet::new();
    for (name, r) in resources {
        if r["Type"].as_str() == Some("AWS::Serverless::Function") {
            let alarms: Vec<String> = r["Properties"]["DeploymentPreference"]["Alarms"]
                .as_vec()
                .unwrap_or_else(|| panic!("{name:?} names its alarms"))
                .iter()
                .filter_map(named)
                .collect();
            assert_eq!(alarms.len(), 3, "{name:?}: {alarms:?}");
            assert_eq!(
                r["Properties"]["AutoPublishAliasAllProperties"].as_bool(),
                Some(true),
                "{name:?} publishes a version for any change"
            );
            rollback.extend(alarms);
        }
    }
    let alarms: Vec<(&str, &Yaml)> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|(k, r)| (k.as_str().unwrap(), r))
        .collect();
    assert!(alarms.len() >= 7 + rollback.len(), "{}", alarms.len());
    for (name, alarm) in &alarms {
        let description = alarm["Properties"]["AlarmDescription"]
            .as_str()
            .unwrap_or_default();
        assert!(
            description.contains("First:"),
            "{name} says what to do first"
        );
        let actions: Vec<String> = alarm["Properties"]["AlarmActions"]
            .as_vec()
            .into_iter()
            .flatten()
            .filter_map(named)
            .collect();
        // The guards roll a deploy back (the failed deploy says so); the others mail.
        if rollback.contains(*name) {
            assert!(actions.is_empty(), "{name} only guards deploys");
        } else {
            assert_eq!(actions, ["AlarmTopic"], "{name} tells the topic");
        }
    }
    for name in rollback {
        assert!(alarms.iter().any(|(a, _)| *a == name), "{name} exists");
    }
    let api = &on["Resources"]["HttpApi"]["Properties"];
    let format = api["AccessLogSettings"]["Format"].as_str().unwrap();
    for field in [
        "$context.routeKey",
        "$context.status",
        "$context.responseLatency",
        "$context.integrationLatency",
        "$context.requestId",
        "sourceIp",
    ] {
        assert!(format.contains(field), "{field} in the access log");
    }
    assert!(
        !format.contains("$context.path") && !format.contains("rawPath"),
        "never the path: it holds the draft's id"
    );
    assert_eq!(
        api["DisableExecuteApiEndpoint"].as_bool(),
        Some(true),
        "a custom domain turns execute-api off"
    );

    // With the defaults: nothing that costs money, no IP in the log, and still a kept table.
    let off = template();
    let kinds: BTreeSet<&str> = off["Resources"]
        .as_hash()
        .unwrap()
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    for costly in [
        "AWS::CloudWatch::Alarm",
        "AWS::SNS::Topic",
        "AWS::CloudWatch::Dashboard",
    ] {
        assert!(!kinds.contains(costly), "{costly} only when asked for");
    }
    let format = off["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap();
    assert!(!format.contains("sourceIp"));
    let table = &off["Resources"]["SessionsTable"];
    assert_eq!(
        table["Properties"]["DeletionProtectionEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
}

#[test]
fn on_a_restored_table_the_stack_points_every_function_and_policy_at_it() {
    let t = resolved("restored-table");
    assert!(
        t["Resources"]["SessionsTable"].is_badvalue(),
        "its own table is left out, and kept"
    );
    let env = environment(&t);
    assert_eq!(
        named(&env["TABLE_NAME"]).as_deref(),
        Some("ExistingTableName")
    );
    for (name, r) in t["Resources"].as_hash().unwrap() {
        for policy in r["Properties"]["Policies"].as_vec().into_iter().flatten() {
            for statement in policy["Statement"].as_vec().into_iter().flatten() {
                let resource = named(&statement["Resource"]).unwrap_or_default();
                assert!(
                    resource.contains("table/${ExistingTableName}"),
                    "{:?}: {resource}",
                    name.as_str()
                );
            }
        }
    }
}
