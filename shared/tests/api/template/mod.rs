//! `template.yaml` checked against the code: the functions are the crates, API Gateway routes
//! to them as `Verb` says (`functions`), the table, logs, CORS and
//! releases are what the code needs (`stack`), and each function may call exactly the DynamoDB
//! operations its code makes, observed against DynamoDB Local, not assumed (`iam`). This file
//! reads the template as CloudFormation deploys it in each mode.

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

mod functions;
mod iam;
mod stack;

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
