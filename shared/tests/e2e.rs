//! End to end: starts the README's main command (`scripts/dev.sh`: DynamoDB Local and
//! `cargo lambda watch`) on free ports and drives the whole flow over HTTP, as a browser would.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use ureq::Agent;

/// The running stack; dropping it stops everything the script started (its Ctrl-C path).
struct Stack {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Stack {
    fn start() -> Stack {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let log = root.join(".local/e2e-dev.log");
        std::fs::create_dir_all(root.join(".local")).unwrap();
        let port = free_port();
        let child = Command::new(root.join("scripts/dev.sh"))
            .env("PORT", port.to_string())
            .env("DYNAMODB_PORT", free_port().to_string())
            .env("TABLE_NAME", "e2e-sessions")
            .env("SESSION_TTL", "86400")
            // Not this test's DynamoDB Local: the script sets its own endpoint.
            .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::from(
                std::fs::File::options().append(true).open(&log).unwrap(),
            ))
            // Its own process group, so the whole group gets the terminal's Ctrl-C below.
            .process_group(0)
            .spawn()
            .expect("scripts/dev.sh starts");
        let stack = Stack {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        stack.wait_until_healthy();
        stack
    }

    fn wait_until_healthy(&self) {
        let agent = agent();
        let started = Instant::now();
        // The first request to each function compiles it (a debug build).
        while started.elapsed() < Duration::from_secs(300) {
            if let Ok(reply) = call(&agent, "GET", &format!("{}/health", self.base), None, &[]) {
                if reply.0 == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("the API did not come up in 300 s:\n{}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .new_agent()
}

/// (status, ETag, JSON body)
type Reply = (u16, Option<String>, Value);

fn call(
    agent: &Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Result<Reply, ureq::Error> {
    let mut response = match (method, body) {
        ("GET", _) => headers
            .iter()
            .fold(agent.get(url), |r, (k, v)| r.header(*k, *v))
            .call()?,
        ("DELETE", _) => headers
            .iter()
            .fold(agent.delete(url), |r, (k, v)| r.header(*k, *v))
            .call()?,
        (m, body) => {
            let builder = if m == "POST" {
                agent.post(url)
            } else {
                agent.put(url)
            };
            let builder = headers.iter().fold(
                builder.header("Content-Type", "application/json"),
                |r, (k, v)| r.header(*k, *v),
            );
            match body {
                Some(b) => builder.send(b.to_string())?,
                None => builder.send_empty()?,
            }
        }
    };
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .expect("a body");
    let json =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {url}: not JSON: {text}"));
    Ok((status, etag, json))
}

#[test]
fn the_main_command_serves_the_whole_flow_over_http() {
    let stack = Stack::start();
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

    // The seed's form: the id in the body.
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
