//! The benchmark behind BENCHMARKS.md (run it with `scripts/bench.sh`, which builds the
//! release functions and starts DynamoDB Local first).
//!
//! Each function binary runs as Lambda runs it: its own process, talking to a local
//! implementation of the Lambda Runtime API (`/2018-06-01/runtime/invocation/next`,
//! `.../response`, `.../error`, `/runtime/init/error`, with the request-id, deadline, ARN and
//! trace headers and the environment Lambda sets), fed API Gateway v2 events from `events/`.
//! DynamoDB requests are counted by a proxy in front of DynamoDB Local (the tests' own
//! `dynamodb::DynamoProxy`), not assumed.
//!
//! Environment: `BENCH_BIN_DIR` (the release binaries), `AWS_ENDPOINT_URL_DYNAMODB`,
//! `TABLE_NAME`, `BENCH_COLD_RUNS` (default 20), `BENCH_WARM_ROUNDS` (default 1000),
//! `BENCH_OUT` (default target/bench/results.md).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use project_session::dynamodb::DynamoProxy;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

type Error = Box<dyn std::error::Error + Send + Sync>;

const FUNCTIONS: [&str; 5] = [
    "create-session",
    "get-session",
    "update-session",
    "delete-session",
    "health",
];
const FIXTURE_ID: &str = "2b7d3f4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";

// ---------------------------------------------------------------- the Runtime API

struct Invocation {
    id: String,
    event: String,
    done: oneshot::Sender<Answer>,
}

/// A function's answer, timed at the Runtime API as Lambda times an invocation's duration:
/// from the event written in answer to `/next` to the response received.
struct Answer {
    outcome: Outcome,
    latency: Duration,
    received: Instant,
}

#[derive(Debug)]
enum Outcome {
    Response(Value),
    Error(String),
}

/// One function's Runtime API endpoint.
struct RuntimeApi {
    addr: SocketAddr,
    queue: mpsc::UnboundedSender<Invocation>,
    /// When the process last asked for its first event: the end of its init.
    first_next: Arc<Mutex<Option<Instant>>>,
    init_error: Arc<Mutex<Option<String>>>,
}

struct Shared {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    pending: Mutex<HashMap<String, (oneshot::Sender<Answer>, Instant)>>,
    first_next: Arc<Mutex<Option<Instant>>>,
    init_error: Arc<Mutex<Option<String>>>,
    function: String,
}

impl RuntimeApi {
    async fn start(function: &str) -> Result<RuntimeApi, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, receiver) = mpsc::unbounded_channel();
        let first_next = Arc::new(Mutex::new(None));
        let init_error = Arc::new(Mutex::new(None));
        let shared = Arc::new(Shared {
            queue: tokio::sync::Mutex::new(receiver),
            pending: Mutex::new(HashMap::new()),
            first_next: first_next.clone(),
            init_error: init_error.clone(),
            function: function.to_string(),
        });
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req| runtime_route(shared.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            queue,
            first_next,
            init_error,
        })
    }

    /// Hands `event` to the function and waits for its answer.
    async fn invoke(&self, event: String) -> Result<Outcome, Error> {
        Ok(self.invoke_timed(event).await?.outcome)
    }

    async fn invoke_timed(&self, event: String) -> Result<Answer, Error> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = format!("bench-{:012}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Invocation { id, event, done })
            .map_err(|_| "runtime queue closed")?;
        Ok(tokio::time::timeout(Duration::from_secs(30), answer).await??)
    }

    fn reset(&self) {
        *self.first_next.lock().unwrap() = None;
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

async fn runtime_route(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match (method, segments.as_slice()) {
        (Method::GET, ["2018-06-01", "runtime", "invocation", "next"]) => {
            shared
                .first_next
                .lock()
                .unwrap()
                .get_or_insert_with(Instant::now);
            let next = shared.queue.lock().await.recv().await;
            let Some(invocation) = next else {
                return Ok(reply(StatusCode::GONE, ""));
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                + 8_000;
            let mut response = reply(StatusCode::OK, invocation.event);
            let headers = response.headers_mut();
            headers.insert(
                "lambda-runtime-aws-request-id",
                invocation.id.parse().unwrap(),
            );
            headers.insert(
                "lambda-runtime-deadline-ms",
                deadline.to_string().parse().unwrap(),
            );
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    shared.function
                )
                .parse()
                .unwrap(),
            );
            headers.insert(
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                    .parse()
                    .unwrap(),
            );
            headers.insert("content-type", "application/json".parse().unwrap());
            // Timed from here, not from `invoke`: the harness's own queueing is not the function's.
            shared
                .pending
                .lock()
                .unwrap()
                .insert(invocation.id, (invocation.done, Instant::now()));
            response
        }
        (
            Method::POST,
            ["2018-06-01", "runtime", "invocation", id, kind @ ("response" | "error")],
        ) => {
            let done = shared.pending.lock().unwrap().remove(*id);
            if let Some((done, delivered)) = done {
                let received = Instant::now();
                let outcome = if *kind == "response" {
                    Outcome::Response(serde_json::from_slice(&body).unwrap_or(Value::Null))
                } else {
                    Outcome::Error(String::from_utf8_lossy(&body).into_owned())
                };
                let _ = done.send(Answer {
                    outcome,
                    latency: received - delivered,
                    received,
                });
            }
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        (Method::POST, ["2018-06-01", "runtime", "init", "error"]) => {
            *shared.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => reply(StatusCode::NOT_FOUND, ""),
    })
}

// ---------------------------------------------------------------- processes

struct Function {
    name: &'static str,
    binary: PathBuf,
    api: RuntimeApi,
}

impl Function {
    /// Starts the binary with the environment Lambda gives a `provided.al2023` function.
    fn spawn(&self, dynamodb: &str) -> Result<Child, Error> {
        self.spawn_logging(dynamodb, Stdio::null())
    }

    /// As `spawn`, with the function's log lines (JSON) going to `stdout`.
    fn spawn_logging(&self, dynamodb: &str, stdout: impl Into<Stdio>) -> Result<Child, Error> {
        let table = std::env::var("TABLE_NAME")?;
        Ok(Command::new(&self.binary)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("AWS_LAMBDA_RUNTIME_API", self.api.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", self.name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", self.name),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/28/[$LATEST]bench")
            .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            // BENCH_LOG_LEVEL=OFF prices the per-request log lines.
            .env(
                "AWS_LAMBDA_LOG_LEVEL",
                std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| "INFO".into()),
            )
            .env("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_SESSION_TOKEN", "local")
            .env("_HANDLER", "bootstrap")
            .env("LAMBDA_TASK_ROOT", "/var/task")
            .env("LAMBDA_RUNTIME_DIR", "/var/runtime")
            .env("TZ", ":UTC")
            .env("TABLE_NAME", table)
            .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb)
            .stdout(stdout)
            .stderr(Stdio::null())
            .spawn()?)
    }
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

// ---------------------------------------------------------------- events

struct Events {
    dir: PathBuf,
}

impl Events {
    fn load(&self, name: &str, id: &str) -> Result<Value, Error> {
        let text = std::fs::read_to_string(self.dir.join(name))?.replace(FIXTURE_ID, id);
        Ok(serde_json::from_str(&text)?)
    }

    fn create(&self) -> Result<String, Error> {
        Ok(self.load("create-session.json", FIXTURE_ID)?.to_string())
    }

    fn get(&self, id: &str) -> Result<String, Error> {
        Ok(self.load("get-session.json", id)?.to_string())
    }

    fn delete(&self, id: &str) -> Result<String, Error> {
        Ok(self.load("delete-session.json", id)?.to_string())
    }

    fn health(&self) -> Result<String, Error> {
        Ok(self.load("health.json", FIXTURE_ID)?.to_string())
    }

    /// An autosave of one field, as the frontend sends it after a keystroke pause.
    fn autosave(&self, id: &str, field: &str, value: Value) -> Result<String, Error> {
        let mut event = self.load("update-session.json", id)?;
        let body = json!({ "projectData": { field: value } }).to_string();
        event["headers"]
            .as_object_mut()
            .ok_or("headers")?
            .remove("if-match");
        event["headers"]["content-length"] = json!(body.len().to_string());
        event["body"] = json!(body);
        Ok(event.to_string())
    }
}

const AUTOSAVES: [(&str, &str); 5] = [
    ("projectName", "Riverside Clinic"),
    ("buildingType", "healthcare"),
    ("clientName", "Ada Lovelace"),
    ("clientEmail", "ada@example.com"),
    ("projectLocation", "Leeds"),
];

fn status_of(outcome: &Outcome) -> Result<u16, Error> {
    match outcome {
        Outcome::Response(v) => v["statusCode"]
            .as_u64()
            .map(|s| s as u16)
            .ok_or_else(|| format!("no status in {v}").into()),
        Outcome::Error(e) => Err(format!("function error: {e}").into()),
    }
}

fn session_id(outcome: &Outcome) -> Result<String, Error> {
    let Outcome::Response(v) = outcome else {
        return Err("create failed".into());
    };
    let body: Value = serde_json::from_str(v["body"].as_str().ok_or("no body")?)?;
    Ok(body["sessionId"]
        .as_str()
        .ok_or("no sessionId")?
        .to_string())
}

/// `count` fresh sessions, made through a create-session process of their own.
async fn create_sessions(
    create: &Function,
    events: &Events,
    dynamodb: &str,
    count: usize,
) -> Result<Vec<String>, Error> {
    let process = create.spawn(dynamodb)?;
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push(session_id(&create.api.invoke(events.create()?).await?)?);
    }
    stop(process);
    Ok(ids)
}

// ---------------------------------------------------------------- statistics

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[derive(Default)]
struct Warm {
    samples: HashMap<&'static str, Vec<Duration>>,
}

impl Warm {
    fn add(&mut self, verb: &'static str, d: Duration) {
        self.samples.entry(verb).or_default().push(d);
    }
}

// ---------------------------------------------------------------- direct requests

async fn direct_requests(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    events: &Events,
    rounds: usize,
) -> Result<HashMap<&'static str, Duration>, Error> {
    use project_session::domain::{
        CreateToken, ExpiryPolicy, Field, FieldValue, NewSession, SessionId, SessionPatch,
    };
    use project_session::store::{StoreCreate, StoreDelete, StoreGet, StorePing, StoreUpdate};
    const WARM_UP: usize = 50;
    let store = project_session::DynamoStore::new(client.clone(), table);
    let policy = ExpiryPolicy::default();
    // The create-session event's own body, as the function decodes it.
    let event = events.load("create-session.json", FIXTURE_ID)?;
    let body = event["body"]
        .as_str()
        .ok_or("create-session.json has no body")?;
    let new_session: NewSession = project_session::decode::decode_new_session(body.as_bytes())
        .map_err(|e| format!("create-session.json: {e:?}"))?;
    let patches = AUTOSAVES
        .iter()
        .map(|(name, value)| {
            let field = Field::from_name(name).ok_or("unknown field")?;
            Ok(SessionPatch {
                project_data: [(field, Some(FieldValue::Text((*value).into())))].into(),
                ..SessionPatch::default()
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut samples: HashMap<&'static str, Vec<Duration>> = HashMap::new();
    // The warm functions' sequence, so DynamoDB Local sees the same mix of requests.
    for i in 0..rounds + WARM_UP {
        let mut keep = |verb: &'static str, started: Instant| {
            if i >= WARM_UP {
                samples.entry(verb).or_default().push(started.elapsed());
            }
        };
        let session =
            new_session
                .clone()
                .into_session(SessionId::generate(), chrono::Utc::now(), &policy);
        let started = Instant::now();
        store.create(&session, &CreateToken::random()).await?;
        keep("create-session", started);
        for patch in &patches {
            let started = Instant::now();
            store
                .update(session.id, None, patch, chrono::Utc::now(), &policy)
                .await?;
            keep("update-session", started);
        }
        let started = Instant::now();
        store.get(session.id, None, chrono::Utc::now()).await?;
        keep("get-session", started);
        let started = Instant::now();
        store.delete(session.id, None, chrono::Utc::now()).await?;
        keep("delete-session", started);
        let started = Instant::now();
        store.ping().await?;
        keep("health", started);
    }
    Ok(samples
        .into_iter()
        .map(|(verb, mut times)| {
            times.sort_unstable();
            (verb, percentile(&times, 50.0))
        })
        .collect())
}

// ---------------------------------------------------------------- the floor

/// Warm latencies of `examples/runtime-floor` (sorted), or none when it was not built.
async fn runtime_floor(
    bin_dir: &Path,
    log_dir: &Path,
    events: &Events,
    dynamodb: &str,
    rounds: usize,
) -> Result<Vec<Duration>, Error> {
    const WARM_UP: usize = 50;
    let binary = bin_dir.join("examples/runtime-floor");
    if !binary.exists() {
        return Ok(Vec::new());
    }
    let floor = Function {
        name: "runtime-floor",
        binary,
        api: RuntimeApi::start("runtime-floor").await?,
    };
    // Logging to a file, as the warm functions do.
    let log = std::fs::File::create(log_dir.join("runtime-floor.log"))?;
    let child = floor.spawn_logging(dynamodb, log)?;
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds + WARM_UP {
        let answer = floor.api.invoke_timed(events.get(FIXTURE_ID)?).await?;
        if status_of(&answer.outcome)? != 200 {
            return Err("runtime-floor did not answer 200".into());
        }
        if i >= WARM_UP {
            samples.push(answer.latency);
        }
    }
    stop(child);
    samples.sort_unstable();
    Ok(samples)
}

// ---------------------------------------------------------------- the run

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin_dir = PathBuf::from(
        std::env::var("BENCH_BIN_DIR")
            .unwrap_or_else(|_| root.join("target/release").display().to_string()),
    );
    let dynamodb = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")?;
    let cold_runs: usize = std::env::var("BENCH_COLD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let rounds: usize = std::env::var("BENCH_WARM_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let out = PathBuf::from(
        std::env::var("BENCH_OUT")
            .unwrap_or_else(|_| root.join("target/bench/results.md").display().to_string()),
    );
    let events = Events {
        dir: root.join("events"),
    };
    let log_dir = out.parent().unwrap_or(Path::new(".")).join("logs");
    std::fs::create_dir_all(&log_dir)?;

    let mut functions = HashMap::new();
    for name in FUNCTIONS {
        let binary = bin_dir.join(name);
        if !binary.exists() {
            return Err(format!(
                "{} is missing: build the release functions first",
                binary.display()
            )
            .into());
        }
        functions.insert(
            name,
            Function {
                name,
                binary,
                api: RuntimeApi::start(name).await?,
            },
        );
    }
    let event_for = |name: &str, id: &str| -> Result<String, Error> {
        match name {
            "create-session" => events.create(),
            "get-session" => events.get(id),
            "update-session" => events.autosave(id, "projectName", json!("Cold")),
            "delete-session" => events.delete(id),
            _ => events.health(),
        }
    };

    // A session for the verbs that need one, created through a warm create-session.
    let mut spare_ids = create_sessions(
        &functions["create-session"],
        &events,
        &dynamodb,
        cold_runs * FUNCTIONS.len() + 10,
    )
    .await?;

    // Cold starts: a fresh process per run, its first event queued before it starts.
    let mut cold: HashMap<&str, (Vec<Duration>, Vec<Duration>)> = HashMap::new();
    for name in FUNCTIONS {
        let f = &functions[name];
        for _ in 0..cold_runs {
            let id = spare_ids.pop().ok_or("out of sessions")?;
            f.api.reset();
            let event = event_for(name, &id)?;
            let started = Instant::now();
            let child = f.spawn(&dynamodb)?;
            let answer = f.api.invoke_timed(event).await?;
            let (outcome, total) = (answer.outcome, answer.received - started);
            let init = f
                .api
                .first_next
                .lock()
                .unwrap()
                .map(|t| t - started)
                .unwrap_or_default();
            if let Some(e) = f.api.init_error.lock().unwrap().take() {
                return Err(format!("{name} failed to initialise: {e}").into());
            }
            let status = status_of(&outcome)?;
            if status >= 400 {
                return Err(
                    format!("{name} answered {status} on a cold start: {outcome:?}").into(),
                );
            }
            stop(child);
            let entry = cold.entry(name).or_default();
            entry.0.push(total);
            entry.1.push(init);
        }
    }

    // Warm: one process per function, a realistic draft's life per round.
    let mut children = HashMap::new();
    for name in FUNCTIONS {
        let log = std::fs::File::create(log_dir.join(format!("{name}.log")))?;
        children.insert(name, functions[name].spawn_logging(&dynamodb, log)?);
    }
    let mut warm = Warm::default();
    let timed = |name: &'static str, event: String| {
        let f = &functions[name];
        async move {
            let answer = f.api.invoke_timed(event).await?;
            Ok::<_, Error>((answer.latency, answer.outcome))
        }
    };
    // Warm-up, so the first connection to DynamoDB is not measured.
    for _ in 0..20 {
        let (_, created) = timed("create-session", events.create()?).await?;
        let id = session_id(&created)?;
        timed(
            "update-session",
            events.autosave(&id, "projectName", json!("Warm-up"))?,
        )
        .await?;
        timed("get-session", events.get(&id)?).await?;
        timed("delete-session", events.delete(&id)?).await?;
        timed("health", events.health()?).await?;
    }
    for _ in 0..rounds {
        let (d, created) = timed("create-session", events.create()?).await?;
        warm.add("create-session", d);
        let id = session_id(&created)?;
        for (field, value) in AUTOSAVES {
            let (d, outcome) =
                timed("update-session", events.autosave(&id, field, json!(value))?).await?;
            assert_eq!(status_of(&outcome)?, 200);
            warm.add("update-session", d);
        }
        let (d, outcome) = timed("get-session", events.get(&id)?).await?;
        assert_eq!(status_of(&outcome)?, 200);
        warm.add("get-session", d);
        let (d, outcome) = timed("delete-session", events.delete(&id)?).await?;
        assert_eq!(status_of(&outcome)?, 200);
        warm.add("delete-session", d);
        let (d, _) = timed("health", events.health()?).await?;
        warm.add("health", d);
    }
    let mut rss = HashMap::new();
    for (name, child) in children {
        rss.insert(name, peak_rss_kib(child.id()));
        stop(child);
    }
    // The handler's own time, from each request's log line: the rest of the warm latency is
    // the Runtime API exchange and the event and response (de)serialisation around it.
    let mut handler_p50 = HashMap::new();
    for name in FUNCTIONS {
        let text = std::fs::read_to_string(log_dir.join(format!("{name}.log")))?;
        let mut times: Vec<Duration> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["latency_ms"].as_f64())
            .map(|ms| Duration::from_secs_f64(ms / 1000.0))
            .collect();
        // The warm-up rounds came first.
        let skip = times.len().saturating_sub(if name == "update-session" {
            rounds * AUTOSAVES.len()
        } else {
            rounds
        });
        let mut times = times.split_off(skip);
        times.sort_unstable();
        handler_p50.insert(name, percentile(&times, 50.0));
    }

    // The Lambda machinery alone: a function that answers without DynamoDB.
    let floor = runtime_floor(&bin_dir, &log_dir, &events, &dynamodb, rounds).await?;

    // The floor: a bare GetItem from a warm SDK client against the same DynamoDB Local.
    let client = project_session::dynamodb::client_from_env(3);
    let table = std::env::var("TABLE_NAME")?;
    let probe = spare_ids
        .first()
        .cloned()
        .unwrap_or_else(|| FIXTURE_ID.to_string());
    let mut bare = Vec::new();
    for i in 0..(rounds + 50) {
        let started = Instant::now();
        client
            .get_item()
            .table_name(&table)
            .key(
                "sessionId",
                aws_sdk_dynamodb::types::AttributeValue::S(probe.clone()),
            )
            .consistent_read(true)
            .send()
            .await?;
        if i >= 50 {
            bare.push(started.elapsed());
        }
    }
    bare.sort_unstable();
    let bare_p50 = percentile(&bare, 50.0);

    // Each verb's own DynamoDB request, made directly through the same adapter from a warm
    // client: what the function adds around it is the Lambda machinery and the handler.
    let direct_p50 = direct_requests(&client, &table, &events, rounds).await?;

    // DynamoDB requests per verb, counted by a proxy (a separate pass: the proxy adds latency).
    let proxy = DynamoProxy::start(&dynamodb).await?;
    let mut requests = Vec::new();
    for name in FUNCTIONS {
        const SAMPLES: usize = 10;
        // Sessions for this verb come from a direct (uncounted) create.
        let ids = if matches!(name, "get-session" | "update-session" | "delete-session") {
            create_sessions(&functions["create-session"], &events, &dynamodb, SAMPLES).await?
        } else {
            Vec::new()
        };
        let child = functions[name].spawn(proxy.url())?;
        proxy.take_counts();
        for i in 0..SAMPLES {
            let id = ids.get(i).cloned().unwrap_or_default();
            let outcome = functions[name].api.invoke(event_for(name, &id)?).await?;
            let status = status_of(&outcome)?;
            if status >= 400 {
                return Err(format!("{name} answered {status} in the counting pass").into());
            }
        }
        let counted = proxy.take_counts();
        let made: u64 = counted.values().sum();
        let operations: Vec<String> = counted.keys().cloned().collect();
        requests.push((name, made as f64 / SAMPLES as f64, operations.join(", ")));
        stop(child);
    }

    // The report, and the numbers for the targets check in scripts/bench.sh.
    let mut numbers = serde_json::Map::new();
    let mut md = String::new();
    md.push_str("| function | cold start p50 (ms) | init p50 (ms) | warm min | warm p50 | warm p90 | warm p99 (ms) | overhead p50 (ms) | in the handler p50 (ms) | same request made directly p50 (ms) | overhead over it (ms) | peak RSS (MB) | DynamoDB requests / invocation |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (name, per_call, ops) in &requests {
        let (mut total, mut init) = cold.remove(name).unwrap_or_default();
        total.sort_unstable();
        init.sort_unstable();
        let mut samples = warm.samples.remove(name).unwrap_or_default();
        samples.sort_unstable();
        let p50 = percentile(&samples, 50.0);
        let is_health = *name == "health";
        numbers.insert(
            name.to_string(),
            json!({
                "cold_p50_ms": percentile(&total, 50.0).as_secs_f64() * 1000.0,
                "init_p50_ms": percentile(&init, 50.0).as_secs_f64() * 1000.0,
                "warm_p50_ms": p50.as_secs_f64() * 1000.0,
                "direct_p50_ms": direct_p50.get(name).map(|d| d.as_secs_f64() * 1000.0),
                // Health's DescribeTable is no GetItem: its overhead is not comparable.
                "overhead_p50_ms": (!is_health).then(|| p50.saturating_sub(bare_p50).as_secs_f64() * 1000.0),
                "peak_rss_mb": rss.get(name).copied().flatten().map(|k| k as f64 / 1024.0),
                "dynamodb_requests_per_invocation": per_call,
            }),
        );
        let overhead = if is_health {
            "n/a (DescribeTable)".to_string()
        } else {
            ms(p50.saturating_sub(bare_p50))
        };
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {per_call:.2} ({ops}) |\n",
            ms(percentile(&total, 50.0)),
            ms(percentile(&init, 50.0)),
            ms(samples.first().copied().unwrap_or_default()),
            ms(p50),
            ms(percentile(&samples, 90.0)),
            ms(percentile(&samples, 99.0)),
            overhead,
            ms(handler_p50.get(name).copied().unwrap_or_default()),
            ms(direct_p50.get(name).copied().unwrap_or_default()),
            ms(p50.saturating_sub(direct_p50.get(name).copied().unwrap_or_default())),
            rss.get(name)
                .copied()
                .flatten()
                .map_or("?".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
        ));
    }
    md.push_str(&format!(
        "\nBare GetItem against the same DynamoDB Local, from a warm SDK client: p50 {} ms \
         (min {}, p90 {}, p99 {}) over {} requests.\n\nCold starts: {cold_runs} fresh processes per \
         function. Warm: {rounds} rounds of create, {} autosaves, get, delete and health; \
         {} update invocations in all.\n",
        ms(bare_p50),
        ms(bare.first().copied().unwrap_or_default()),
        ms(percentile(&bare, 90.0)),
        ms(percentile(&bare, 99.0)),
        bare.len(),
        AUTOSAVES.len(),
        rounds * AUTOSAVES.len(),
    ));
    if !floor.is_empty() {
        md.push_str(&format!(
            "\nThe Lambda machinery alone under this harness (`shared/examples/runtime-floor.rs`: \
             the same runtime, lambda_http and logging as the functions, a handler that answers at \
             once): p50 {} ms (min {}, p90 {}) over {} invocations.\n",
            ms(percentile(&floor, 50.0)),
            ms(floor.first().copied().unwrap_or_default()),
            ms(percentile(&floor, 90.0)),
            floor.len(),
        ));
        numbers.insert(
            "runtime_floor_p50_ms".into(),
            json!(percentile(&floor, 50.0).as_secs_f64() * 1000.0),
        );
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, &md)?;
    numbers.insert(
        "bare_getitem_p50_ms".into(),
        json!(bare_p50.as_secs_f64() * 1000.0),
    );
    std::fs::write(
        out.with_extension("json"),
        Value::Object(numbers).to_string(),
    )?;
    println!("{md}");
    Ok(())
}
