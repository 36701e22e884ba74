//! The local API is API Gateway as `template.yaml` declares it (`scripts/local_gateway.py`), and
//! it serves the code as it is now: an edit reaches every function before it answers again.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::stack::{agent, call, local_token, root, Stack};

/// The answer's CORS headers, by name.
fn cors_of(response: &ureq::http::Response<ureq::Body>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    headers
}

#[test]
fn the_local_api_answers_cors_and_bodies_as_api_gateway_does() {
    let origin = "https://wizard.example.com";
    let stack = Stack::start_with("gateway", &[("ALLOWED_ORIGINS", origin)]);
    let agent = agent();
    let url = format!("{}/project-session", stack.base);

    let preflight_from = |origin: &str| {
        agent
            .options(&url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PUT")
            .call()
            .expect("a preflight answer")
    };

    // A preflight from an allowed origin: the template's CorsConfiguration, from the gateway.
    let preflight = preflight_from(origin);
    assert_eq!(preflight.status().as_u16(), 204);
    assert_eq!(
        cors_of(&preflight),
        [
            (
                "access-control-allow-headers",
                "Content-Type,If-Match,Idempotency-Key"
            ),
            (
                "access-control-allow-methods",
                "GET,POST,PUT,DELETE,OPTIONS"
            ),
            ("access-control-allow-origin", origin),
            ("access-control-expose-headers", "ETag,Retry-After"),
            ("access-control-max-age", "600"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );

    // Another origin gets no CORS headers at all, so its browser refuses the answer.
    let stranger = preflight_from("https://elsewhere.example.org");
    assert_eq!(
        cors_of(&stranger),
        [],
        "an origin template.yaml does not allow"
    );

    // A real request from the allowed origin: the origin and the exposed headers.
    let created = agent
        .post(&url)
        .header("Origin", origin)
        .header("Content-Type", "application/json")
        .send("{}")
        .expect("an answer");
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        cors_of(&created),
        [
            ("access-control-allow-origin", origin),
            ("access-control-expose-headers", "ETag,Retry-After"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );

    // A body that is not UTF-8 reaches the function base64-encoded, which refuses it as JSON.
    let mut refused = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(&[0xff_u8, 0xfe, b'{'][..])
        .expect("an answer");
    assert_eq!(refused.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&refused.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body, json!({"error": "the body is not valid UTF-8"}));

    // A route template.yaml does not declare: API Gateway's own 404; the list is owned mode's.
    for path in ["/project-sessions", "/nowhere"] {
        let (status, _, body) =
            call(&agent, "GET", &format!("{}{path}", stack.base), None, &[]).expect("an answer");
        assert_eq!(
            (status, body),
            (404, json!({"message": "Not Found"})),
            "{path}"
        );
    }
}

/// The files `npm --prefix web run fields` writes, put back as they were when dropped.
struct Restore(Vec<(PathBuf, Vec<u8>)>);

impl Restore {
    fn save(paths: &[&str]) -> Restore {
        Restore(
            paths
                .iter()
                .map(|p| {
                    let path = root().join(p);
                    let bytes = std::fs::read(&path).unwrap();
                    (path, bytes)
                })
                .collect(),
        )
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, bytes) in &self.0 {
            std::fs::write(path, bytes).unwrap();
        }
    }
}

/// Processes running a binary of this checkout's `target/` that was rebuilt since they started.
fn functions_on_old_code() -> Vec<String> {
    let target = root().join("target").canonicalize().unwrap();
    let mut old = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(exe) = std::fs::read_link(entry.path().join("exe")) else {
            continue;
        };
        let exe = exe.to_string_lossy().to_string();
        if exe.starts_with(&*target.to_string_lossy()) && exe.ends_with(" (deleted)") {
            old.push(exe);
        }
    }
    old
}

/// docs/adapting.md's worked example, with the stack up: a field added to openapi.yaml and
/// `npm --prefix web run fields`. The first request after it already gets the new code, from
/// every verb, and so does the first after the edit is undone.
#[test]
fn an_edit_reaches_every_function_before_it_answers_again() {
    let stack = Stack::start_owned("gateway-edit", 100);
    let agent = agent();
    let base = &stack.base;
    let bearer = format!("Bearer {}", local_token(&agent, base, "editor", 3600));
    let send = |method: &str, path: &str, body: Option<Value>, etag: Option<&str>| {
        let mut headers = vec![("Authorization", bearer.as_str())];
        headers.extend(etag.map(|e| ("If-Match", e)));
        call(&agent, method, &format!("{base}{path}"), body, &headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", stack.log_text()))
    };
    let with_site_area = |area: u32| Some(json!({"projectData": {"siteArea": area}}));

    let (status, _, refused) = send("POST", "/project-session", with_site_area(5), None);
    assert_eq!(status, 400, "siteArea is no field yet: {refused}");

    let restore = Restore::save(&[
        "openapi.yaml",
        "shared/src/domain/fields.rs",
        "web/src/fields.ts",
        "docs/api.md",
    ]);
    let spec = std::fs::read_to_string(root().join("openapi.yaml")).unwrap();
    let anchor = "        squareFootage: { $ref: \"#/components/schemas/Amount\" }\n";
    assert!(spec.contains(anchor), "openapi.yaml's ProjectData moved");
    let edited = spec.replacen(
        anchor,
        &format!("{anchor}        siteArea: {{ $ref: \"#/components/schemas/Amount\" }}\n"),
        1,
    );
    std::fs::write(root().join("openapi.yaml"), edited).unwrap();
    let generated = Command::new("npm")
        .args(["--prefix", "web", "run", "--silent", "fields"])
        .current_dir(root())
        .status()
        .expect("npm runs");
    assert!(generated.success(), "npm --prefix web run fields");

    // No wait and no retry: each first answer after the edit is the new code's.
    let (status, etag, created) = send("POST", "/project-session", with_site_area(5), None);
    assert_eq!(status, 201, "create-session: {created}");
    let id = created["sessionId"].as_str().unwrap().to_string();
    let draft = format!("/project-session/{id}");
    let (status, _, read) = send("GET", &draft, None, None);
    assert_eq!(
        (status, read["projectData"].clone(), read.get("setAside")),
        (200, json!({"siteArea": 5}), None),
        "get-session: {read}"
    );
    let (status, _, saved) = send("PUT", &draft, with_site_area(7), etag.as_deref());
    assert_eq!(status, 200, "update-session: {saved}");
    let (status, _, listed) = send("GET", "/project-sessions", None, None);
    assert_eq!(status, 200, "list-sessions: {listed}");
    assert!(
        listed["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["sessionId"] == json!(id)),
        "list-sessions: {listed}"
    );
    assert_eq!(send("GET", "/health", None, None).0, 200, "health");
    assert_eq!(send("DELETE", &draft, None, None).0, 200, "delete-session");
    assert_eq!(send("GET", &draft, None, None).0, 404);
    assert_eq!(
        functions_on_old_code(),
        Vec::<String>::new(),
        "a function still runs the code from before the edit"
    );

    drop(restore);
    let (status, _, refused) = send("POST", "/project-session", with_site_area(5), None);
    assert_eq!(status, 400, "siteArea is gone again: {refused}");
    assert_eq!(functions_on_old_code(), Vec::<String>::new());
}
