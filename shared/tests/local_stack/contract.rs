//! `openapi.yaml` is what the API serves: Schemathesis (from PyPI, installed by
//! scripts/test.sh) runs against the README's main command, including its stateful phase,
//! which follows the spec's links from a created draft to reading, updating and deleting it.

use std::process::Command;

use crate::stack::{root, Stack};

#[test]
fn the_api_served_locally_matches_openapi_yaml() {
    let stack = Stack::start("contract");
    schemathesis(&stack, &[]);
}

/// Owned mode, signed in through the local token issuer; the cap raised, as Schemathesis makes
/// hundreds of drafts.
#[test]
fn the_owned_api_served_locally_matches_openapi_yaml() {
    let stack = Stack::start_with(
        "contract-owned",
        &[("AUTH_MODE", "jwt"), ("MAX_DRAFTS_PER_OWNER", "100000")],
    );
    let agent = crate::stack::agent();
    let (status, _, token) = crate::stack::call(
        &agent,
        "POST",
        &format!("{}/local-auth/token", stack.base),
        Some(serde_json::json!({"sub": "contract", "expiresIn": 86400})),
        &[],
    )
    .expect("a local token");
    assert_eq!(status, 200, "{token}");
    let bearer = format!(
        "Authorization: Bearer {}",
        token["access_token"].as_str().unwrap()
    );
    schemathesis(&stack, &["--header", &bearer]);
}

fn schemathesis(stack: &Stack, extra: &[&str]) {
    let contract = root().join("shared/tests/local_stack/contract");
    let st = root().join(".local/venv/bin/st");
    assert!(
        st.exists(),
        "schemathesis is not installed: run scripts/test.sh"
    );
    let output = Command::new(st)
        .arg("--config-file")
        .arg(contract.join("schemathesis.toml"))
        .arg("run")
        .arg(root().join("openapi.yaml"))
        .args([
            "--url",
            &stack.base,
            "--checks",
            "all",
            "--workers",
            "2",
            "--no-color",
        ])
        // The coverage phase hits internal errors of Schemathesis on this Python; the others
        // generate valid and invalid requests and walk the links.
        .args(["--phases", "examples,fuzzing,stateful"])
        .args([
            "--max-examples",
            "100",
            "--seed",
            "20261128",
            "--request-timeout",
            "30",
        ])
        // Nothing may be written inside the workspace: `cargo lambda watch` restarts every
        // function on a change, dropping the requests in flight.
        .current_dir(std::env::temp_dir())
        .args(["--generation-database", "none"])
        .args(extra)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPATH", &contract)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found the API and openapi.yaml apart:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("Stateful"),
        "the stateful phase ran:\n{report}"
    );
}
