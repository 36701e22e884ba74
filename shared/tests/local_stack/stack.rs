//! The README's main command (`scripts/dev.sh`: DynamoDB Local and `cargo lambda watch`),
//! started on free ports for a test and stopped (as Ctrl-C does) when dropped, and an HTTP
//! client for it.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::Agent;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One stack at a time in this binary, as when each test that starts one was a binary of its
/// own: two at once would build and serve side by side on a small machine.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The running stack; dropping it stops everything the script started (its Ctrl-C path).
pub struct Stack {
    child: Child,
    pub base: String,
    log: PathBuf,
    // Released after `drop` has stopped the script.
    _turn: MutexGuard<'static, ()>,
}

impl Stack {
    /// `name` names its log, `.local/<name>-dev.log`.
    pub fn start(name: &str) -> Stack {
        Self::start_with(name, &[])
    }

    /// Owned mode (`AUTH_MODE=jwt`), each person allowed `max_drafts` live drafts.
    pub fn start_owned(name: &str, max_drafts: u32) -> Stack {
        let cap = max_drafts.to_string();
        Self::start_with(
            name,
            &[("AUTH_MODE", "jwt"), ("MAX_DRAFTS_PER_OWNER", &cap)],
        )
    }

    /// With more of the script's settings (e.g. `AUTH_MODE=jwt`).
    pub fn start_with(name: &str, env: &[(&str, &str)]) -> Stack {
        // A test that failed with the stack up poisons the lock; the next one may still go.
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        let root = root();
        let log = root.join(format!(".local/{name}-dev.log"));
        std::fs::create_dir_all(root.join(".local")).unwrap();
        let port = free_port();
        // One file, both streams appending: a stdout opened without O_APPEND writes at its own
        // offset and overwrote what stderr appended, the "ready:" line among it.
        std::fs::write(&log, "").unwrap();
        let out = std::fs::File::options().append(true).open(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = Command::new(root.join("scripts/dev.sh"))
            .envs(env.iter().copied())
            .env("PORT", port.to_string())
            .env("DYNAMODB_PORT", free_port().to_string())
            .env("WEB_PORT", free_port().to_string())
            .env("TABLE_NAME", format!("{name}-sessions"))
            .env("SESSION_TTL", "86400")
            // Not this test's DynamoDB Local: the script sets its own endpoint.
            .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::from(err))
            // Its own process group, so the whole group gets the terminal's Ctrl-C below.
            .process_group(0)
            .spawn()
            .expect("scripts/dev.sh starts");
        let mut stack = Stack {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _turn: turn,
        };
        stack.wait_until_ready();
        stack
    }

    /// Until the script says every function has answered once (`scripts/warm.py`), so that no
    /// test's request waits for a build. A hang guard, not a speed check: a cold build of the
    /// workspace on a busy machine takes minutes.
    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(1800) {
            if self.log_text().contains("ready: API on") {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("scripts/dev.sh exited ({status}):\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!(
            "scripts/dev.sh was not ready in 30 min:\n{}",
            self.log_text()
        );
    }

    pub fn log_text(&self) -> String {
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

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .new_agent()
}

/// (status, ETag, JSON body)
pub type Reply = (u16, Option<String>, Value);

pub fn call(
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

/// A token of the local issuer for `sub` (owned mode: `AUTH_MODE=jwt`), valid `seconds`.
pub fn local_token(agent: &Agent, base: &str, sub: &str, seconds: u64) -> String {
    let (status, _, body) = call(
        agent,
        "POST",
        &format!("{base}/local-auth/token"),
        Some(serde_json::json!({"sub": sub, "expiresIn": seconds})),
        &[],
    )
    .expect("the local issuer answers");
    assert_eq!(status, 200, "{body}");
    body["access_token"]
        .as_str()
        .expect("an access_token")
        .to_string()
}
