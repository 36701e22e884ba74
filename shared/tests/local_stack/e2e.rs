//! End to end: starts the README's main command (`scripts/dev.sh`: DynamoDB Local and
//! `cargo lambda watch`) on free ports and drives the whole flow over HTTP, as a browser would.

use serde_json::{json, Value};

use crate::stack::{agent, call, Stack};

#[test]
fn the_main_command_serves_the_whole_flow_over_http() {
    let stack = Stack::start("e2e");
    let agent = agent();
    let base = &stack.base;
    let send = |method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]| {
        call(&agent, method, &format!("{base}{path}"), body, headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", stack.log_text()))
    };

    let (status, etag, created) = send(
        "POST",
        "/project-session",
        Some(json!({"projectData": {"projectName": "Riverside Clinic"}})),
        &[],
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(etag.as_deref(), Some("\"1\""));
    let id = created["sessionId"].as_str().unwrap().to_string();

    // The original design's form: the id in the body.
    let (status, _, saved) = send(
        "PUT",
        "/project-session",
        Some(
            json!({"sessionId": id, "projectData": {"buildingType": "healthcare"}, "currentStep": 1, "completedSteps": [1]}),
        ),
        &[],
    );
    assert_eq!(
        (status, saved["version"].clone()),
        (200, json!(2)),
        "{saved}"
    );

    // Two tabs autosave different fields at the same moment, through the path parameter route.
    let path = format!("/project-session/{id}");
    std::thread::scope(|s| {
        for (field, value) in [
            ("clientName", json!("Ada")),
            ("squareFootage", json!(12500)),
        ] {
            let send = &send;
            let path = &path;
            s.spawn(move || {
                let (status, _, reply) = send(
                    "PUT",
                    path,
                    Some(json!({"projectData": {field: value}})),
                    &[],
                );
                assert_eq!(status, 200, "{reply}");
            });
        }
    });

    // A stale If-Match changes nothing.
    let (status, _, stale) = send(
        "PUT",
        &path,
        Some(json!({"projectData": {"clientName": "Eve"}})),
        &[("If-Match", "\"2\"")],
    );
    assert_eq!(
        (status, stale["currentVersion"].clone()),
        (412, json!(4)),
        "{stale}"
    );

    let (status, etag, draft) = send("GET", &path, None, &[]);
    assert_eq!(status, 200);
    assert_eq!(etag.as_deref(), Some("\"4\""));
    assert_eq!(
        draft["projectData"],
        json!({"projectName": "Riverside Clinic", "buildingType": "healthcare", "clientName": "Ada", "squareFootage": 12500})
    );
    assert_eq!(draft["completedSteps"], json!([1]));

    let (status, _, error) = send(
        "GET",
        &format!("/project-session/{}", id.to_uppercase()),
        None,
        &[],
    );
    assert_eq!(status, 400, "{error}");

    let (status, _, deleted) = send("DELETE", &path, None, &[]);
    assert_eq!((status, deleted), (200, json!({"success": true})));
    let (status, _, gone) = send("GET", &path, None, &[]);
    assert_eq!((status, gone), (404, json!({"error": "Session not found"})));

    let (status, _, health) = send("GET", "/health", None, &[]);
    assert_eq!(
        (status, health),
        (200, json!({"status": "healthy", "dynamodb": "connected"}))
    );

    // A burst (a page stuck in a retry loop, a small load test) is answered, request by
    // request, and leaves the API answering: cargo lambda watch alone wedges for good past
    // 100 waiting requests (scripts/upstream/cargo-lambda-watch-deadlock/).
    let answers: Vec<u16> = std::thread::scope(|s| {
        let burst: Vec<_> = (0..300)
            .map(|_| s.spawn(|| send("GET", "/health", None, &[]).0))
            .collect();
        burst.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(
        answers.iter().all(|status| [200, 503].contains(status)),
        "{answers:?}"
    );
    let (status, _, health) = send("GET", "/health", None, &[]);
    assert_eq!((status, health["status"].clone()), (200, json!("healthy")));

    // One log line per request, without the session id.
    let log = stack.log_text();
    assert!(
        log.contains("route=PUT /project-session/{sessionId}")
            || log.contains("\"route\":\"PUT /project-session/{sessionId}\""),
        "{log}"
    );
    assert!(!log.contains(&id), "the session id leaked into the logs");
    assert!(
        !log.contains("Riverside Clinic"),
        "draft contents leaked into the logs"
    );
}

/// The deploy workflow's smoke test, run here against the README's main command.
#[test]
fn the_deploy_smoke_test_passes_against_the_local_api() {
    let stack = Stack::start("smoke");
    let output = std::process::Command::new(crate::stack::root().join("scripts/smoke.sh"))
        .arg(&stack.base)
        .output()
        .expect("scripts/smoke.sh runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        stack.log_text()
    );
}

/// The smoke test as the deploy workflow runs it in owned mode behind a custom domain: a token
/// it obtains itself (client credentials at the issuer's token endpoint), every request sent to
/// the domain's endpoint without DNS (`SMOKE_CONNECT_TO`).
#[test]
fn the_deploy_smoke_test_gets_its_own_token_in_owned_mode_and_reaches_a_custom_domain() {
    let stack = Stack::start_owned("smoke-owned", 20);
    let port = stack.base.rsplit(':').next().unwrap().to_string();
    let domain = format!("http://api.smoke.invalid:{port}");
    let smoke = |credentials: &[(&str, String)]| {
        let mut command = std::process::Command::new(crate::stack::root().join("scripts/smoke.sh"));
        command.arg(&domain).env_remove("SMOKE_TOKEN").env(
            "SMOKE_CONNECT_TO",
            format!("api.smoke.invalid:{port}:127.0.0.1:{port}"),
        );
        for (name, value) in credentials {
            command.env(name, value);
        }
        command.output().expect("scripts/smoke.sh runs")
    };

    let refused = smoke(&[]);
    assert!(!refused.status.success(), "no token: the API refuses it");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("answered 401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let output = smoke(&[
        (
            "SMOKE_TOKEN_URL",
            format!("{}/local-auth/token", stack.base),
        ),
        ("SMOKE_CLIENT_ID", "smoke-test-client".into()),
        ("SMOKE_CLIENT_SECRET", "local".into()),
    ]);
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        stack.log_text()
    );
}
