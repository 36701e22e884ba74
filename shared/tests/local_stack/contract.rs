//! `openapi.yaml` is what the API serves: Schemathesis (from PyPI, installed by
//! scripts/test.sh) runs against the README's main command, including its stateful phase,
//! which follows the spec's links from a created draft to reading, updating and deleting it.

use std::process::Command;

use crate::stack::{agent, local_token, root, Stack};

#[test]
fn the_api_served_locally_matches_openapi_yaml() {
    let stack = Stack::start("contract");
    // The list exists in owned mode only; here it is API Gateway's 404 (`gateway.rs`).
    schemathesis(&stack, &["--exclude-operation-id", "listSessions"]);
}

/// Owned mode, signed in through the local token issuer; the cap raised, as Schemathesis makes
/// hundreds of drafts.
#[test]
fn the_owned_api_served_locally_matches_openapi_yaml() {
    let stack = Stack::start_owned("contract-owned", 100_000);
    let token = local_token(&agent(), &stack.base, "contract", 86400);
    let bearer = format!("Authorization: Bearer {token}");
    schemathesis(&stack, &["--header", &bearer]);
}

/// A fixed seed, so that a run is repeatable; `SCHEMATHESIS_SEED=random` draws a new one (the
/// report prints it) and `SCHEMATHESIS_SEED=N` repeats that run.
fn seed() -> Vec<String> {
    match std::env::var("SCHEMATHESIS_SEED").as_deref() {
        Ok("random") => vec![],
        Ok(seed) => vec!["--seed".into(), seed.into()],
        Err(_) => vec!["--seed".into(), "20261128".into()],
    }
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
        // Not the coverage phase: in Schemathesis 4.32.5 it fails with an internal KeyError in
        // about one run in three here, and counts `If-Match: 0` and `Idempotency-Key: 0` as
        // schema-valid although both headers' patterns exclude them. The others generate valid
        // and invalid requests and walk the links.
        .args(["--phases", "examples,fuzzing,stateful"])
        .args(["--max-examples", "100", "--request-timeout", "30"])
        .args(seed())
        // Schemathesis' files stay out of the checkout.
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
