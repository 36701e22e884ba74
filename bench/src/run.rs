//! One run: full speed first (latency, CPU time, requests counted, the floors), then the same
//! draft's life at the CPU share of each memory size and period. Writes
//! `target/bench/results.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::cost::{self, SessionVerbs, VerbCost};
use crate::cpu_share::{cpu_time, peak_rss_kib, CpuGroup, Launcher, Share, Spawn};
use crate::dynamodb::{self, TlsEndpoint};
use crate::functions::{
    session_id, status_of, Endpoint, Events, Function, AUTOSAVES, FIXTURE_ID, FUNCTIONS,
};
use crate::runtime_api::RuntimeApi;
use crate::stats::{mean, ms, percentile};
use crate::Error;

const CGROUP_ROOT: &str = "/sys/fs/cgroup/cpu";
const WARM_UP_ROUNDS: usize = 20;
/// A function built like ours whose handler answers at once, without DynamoDB: its cold start
/// at a share is what the process and the Lambda machinery cost before any request of ours.
const FLOOR: &str = "runtime-floor";

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn numbers(name: &str, default: &[u64]) -> Vec<u64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

struct Bench<'a> {
    functions: HashMap<&'static str, Function>,
    events: Events,
    endpoint: Endpoint<'a>,
    /// The launcher that sits in each function's CPU group. Declared before `groups`, so
    /// dropped first: a group can only be removed once its processes have exited.
    launchers: HashMap<&'static str, Launcher>,
    /// Each function's own CPU group (as each Lambda instance has its own share); none when
    /// groups cannot be made here.
    groups: HashMap<&'static str, CpuGroup>,
    log_dir: PathBuf,
}

/// What one function showed at one share.
#[derive(Default)]
struct Measured {
    cold: Vec<Duration>,
    init: Vec<Duration>,
    cold_cpu: Vec<Duration>,
    warm: Vec<Duration>,
    warm_cpu_per_invocation: Duration,
    peak_rss_kib: Option<u64>,
    times_throttled: u64,
}

impl Measured {
    fn to_json(&self) -> Value {
        let sorted = |v: &[Duration]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            v
        };
        let (cold, init, cold_cpu, warm) = (
            sorted(&self.cold),
            sorted(&self.init),
            sorted(&self.cold_cpu),
            sorted(&self.warm),
        );
        let billed: Vec<f64> = warm.iter().map(|d| cost::billed_ms(ms(*d))).collect();
        json!({
            "cold_p50_ms": ms(percentile(&cold, 50.0)),
            "init_p50_ms": ms(percentile(&init, 50.0)),
            "cold_cpu_p50_ms": ms(percentile(&cold_cpu, 50.0)),
            "warm_min_ms": ms(warm.first().copied().unwrap_or_default()),
            "warm_p50_ms": ms(percentile(&warm, 50.0)),
            "warm_p90_ms": ms(percentile(&warm, 90.0)),
            "warm_p99_ms": ms(percentile(&warm, 99.0)),
            "warm_mean_ms": ms(mean(&warm)),
            "warm_cpu_ms": ms(self.warm_cpu_per_invocation),
            "billed_ms_mean": billed.iter().sum::<f64>() / billed.len().max(1) as f64,
            "peak_rss_mb": self.peak_rss_kib.map(|k| k as f64 / 1024.0),
            "times_throttled": self.times_throttled,
            "cold_runs": cold.len(),
            "warm_invocations": warm.len(),
        })
    }
}

impl Bench<'_> {
    fn env(&self, name: &str, memory_mb: u32) -> Result<Vec<(String, String)>, Error> {
        self.functions[name].env(&self.endpoint, memory_mb)
    }

    fn spawn(
        &mut self,
        name: &str,
        memory_mb: u32,
        log: Option<&Path>,
    ) -> Result<(u32, Duration), Error> {
        let env = self.env(name, memory_mb)?;
        let program = self.functions[name].binary.clone();
        let launcher = self.launcher(name)?;
        tokio::task::block_in_place(|| {
            launcher.spawn(&Spawn {
                program: &program,
                env: &env,
                stdout: log,
            })
        })
    }

    /// The launcher of `name`'s group; helpers that are not functions borrow create-session's.
    fn launcher(&mut self, name: &str) -> Result<&mut Launcher, Error> {
        let name = if self.launchers.contains_key(name) {
            name
        } else {
            "create-session"
        };
        self.launchers
            .get_mut(name)
            .ok_or_else(|| "no launcher".into())
    }

    fn stop(&mut self, name: &str, pid: u32) -> Result<(), Error> {
        let launcher = self.launcher(name)?;
        tokio::task::block_in_place(|| launcher.stop(pid))
    }

    /// Every group at `share`, or at full speed.
    fn limit(&self, share: Option<Share>) -> Result<(), Error> {
        for group in self.groups.values() {
            match share {
                Some(share) => group.limit(share)?,
                None => group.unlimit()?,
            }
        }
        Ok(())
    }

    fn throttled(&self, name: &str) -> u64 {
        self.groups.get(name).map_or(0, |g| g.throttled().0)
    }

    fn event_for(&self, name: &str, id: &str) -> Result<String, Error> {
        match name {
            "create-session" => self.events.create(),
            "get-session" => self.events.get(id),
            "update-session" => self.events.autosave(id, "projectName", json!("Cold")),
            "delete-session" => self.events.delete(id),
            _ => self.events.health(),
        }
    }

    /// `count` fresh sessions, made through a create-session process of their own.
    async fn create_sessions(&mut self, count: usize) -> Result<Vec<String>, Error> {
        let (pid, _) = self.spawn("create-session", 1769, None)?;
        let mut ids = Vec::with_capacity(count);
        for _ in 0..count {
            let event = self.events.create()?;
            ids.push(session_id(
                &self.functions["create-session"].api.invoke(event).await?,
            )?);
        }
        self.stop("create-session", pid)?;
        Ok(ids)
    }

    /// A fresh process per run, its first event queued before it starts; `rest` between runs
    /// so that each begins with its quota refilled.
    async fn cold_starts(
        &mut self,
        memory_mb: u32,
        runs: usize,
        rest: Duration,
        ids: &mut Vec<String>,
        measured: &mut HashMap<&'static str, Measured>,
    ) -> Result<(), Error> {
        let floor = self.functions.contains_key(FLOOR).then_some(FLOOR);
        for name in FUNCTIONS.into_iter().chain(floor) {
            for _ in 0..runs {
                let id = if name == FLOOR {
                    FIXTURE_ID.to_string()
                } else {
                    ids.pop().ok_or("out of sessions")?
                };
                tokio::time::sleep(rest).await;
                let api = &self.functions[name].api;
                api.reset();
                let pending = api.submit(self.event_for(name, &id)?)?;
                let (pid, started) = self.spawn(name, memory_mb, None)?;
                let answer = RuntimeApi::answer(pending).await?;
                let cpu = cpu_time(pid);
                let api = &self.functions[name].api;
                let init = api
                    .first_next
                    .lock()
                    .map_err(|_| "poisoned")?
                    .map(|t| t.saturating_sub(started))
                    .unwrap_or_default();
                let init_error = api.init_error.lock().map_err(|_| "poisoned")?.take();
                self.stop(name, pid)?;
                if let Some(e) = init_error {
                    return Err(format!("{name} failed to initialise: {e}").into());
                }
                let status = status_of(&answer.outcome)?;
                if status >= 400 {
                    return Err(format!("{name} answered {status} on a cold start").into());
                }
                let entry = measured.entry(name).or_default();
                entry.cold.push(answer.received.saturating_sub(started));
                entry.init.push(init);
                entry.cold_cpu.push(cpu);
            }
        }
        Ok(())
    }

    /// One warm process per function; `rounds` drafts' lives: create, autosaves, get, delete
    /// and a health check. CPU time per invocation is each process's counter over the rounds.
    async fn warm(
        &mut self,
        memory_mb: u32,
        rounds: usize,
        logs: bool,
        measured: &mut HashMap<&'static str, Measured>,
    ) -> Result<(), Error> {
        let mut pids = HashMap::new();
        for name in FUNCTIONS {
            let log = self.log_dir.join(format!("{name}.log"));
            let (pid, _) = self.spawn(name, memory_mb, logs.then_some(log.as_path()))?;
            pids.insert(name, pid);
        }
        let mut cpu_before = HashMap::new();
        for round in 0..WARM_UP_ROUNDS + rounds {
            if round == WARM_UP_ROUNDS {
                for (name, pid) in &pids {
                    cpu_before.insert(*name, cpu_time(*pid));
                }
            }
            let keep = round >= WARM_UP_ROUNDS;
            let mut record = |name: &'static str, d: Duration| {
                if keep {
                    measured.entry(name).or_default().warm.push(d);
                }
            };
            let created = self
                .invoke("create-session", self.events.create()?, 201)
                .await?;
            record("create-session", created.0);
            let id = session_id(&created.1)?;
            for (field, value) in AUTOSAVES {
                let event = self.events.autosave(&id, field, json!(value))?;
                record(
                    "update-session",
                    self.invoke("update-session", event, 200).await?.0,
                );
            }
            record(
                "get-session",
                self.invoke("get-session", self.events.get(&id)?, 200)
                    .await?
                    .0,
            );
            let event = self.events.delete(&id)?;
            record(
                "delete-session",
                self.invoke("delete-session", event, 200).await?.0,
            );
            record(
                "health",
                self.invoke("health", self.events.health()?, 200).await?.0,
            );
        }
        for (name, pid) in pids {
            let entry = measured.entry(name).or_default();
            let invocations = entry.warm.len().max(1) as u32;
            let spent =
                cpu_time(pid).saturating_sub(cpu_before.get(name).copied().unwrap_or_default());
            entry.warm_cpu_per_invocation = spent / invocations;
            entry.peak_rss_kib = peak_rss_kib(pid);
            self.stop(name, pid)?;
        }
        Ok(())
    }

    async fn invoke(
        &self,
        name: &str,
        event: String,
        expected: u16,
    ) -> Result<(Duration, crate::runtime_api::Outcome), Error> {
        let answer = self.functions[name].api.invoke_timed(event).await?;
        let status = status_of(&answer.outcome)?;
        if status != expected {
            return Err(format!(
                "{name} answered {status}, not {expected}: {:?}",
                answer.outcome
            )
            .into());
        }
        Ok((answer.latency, answer.outcome))
    }

    /// Cold starts and warm rounds at one share (or full speed).
    async fn at(
        &mut self,
        share: Option<Share>,
        cold_runs: usize,
        rounds: usize,
        logs: bool,
    ) -> Result<HashMap<&'static str, Measured>, Error> {
        self.limit(None)?;
        let mut ids = self.create_sessions(cold_runs * FUNCTIONS.len()).await?;
        let (memory_mb, rest) = match share {
            Some(share) => (share.memory_mb, Duration::from_micros(share.period_us * 2)),
            None => (1769, Duration::from_millis(100)),
        };
        self.limit(share)?;
        let before: Vec<u64> = FUNCTIONS.iter().map(|n| self.throttled(n)).collect();
        let mut measured = HashMap::new();
        self.cold_starts(memory_mb, cold_runs, rest, &mut ids, &mut measured)
            .await?;
        self.warm(memory_mb, rounds, logs, &mut measured).await?;
        for (name, before) in FUNCTIONS.iter().zip(before) {
            measured.entry(*name).or_default().times_throttled =
                self.throttled(name).saturating_sub(before);
        }
        self.limit(None)?;
        Ok(measured)
    }
}

/// `init-profile` in `runs` fresh processes at `share` (or full speed); its lines, all runs.
async fn init_profiles(
    bench: &mut Bench<'_>,
    bin_dir: &Path,
    share: Option<Share>,
    runs: usize,
) -> Result<String, Error> {
    let program = bin_dir.join("init-profile");
    if !program.exists() {
        return Ok(String::new());
    }
    let memory_mb = share.map_or(1769, |s| s.memory_mb);
    let env = bench.env("create-session", memory_mb)?;
    let file = bench.log_dir.join("init-profile.txt");
    bench.limit(share)?;
    let mut lines = String::new();
    for _ in 0..runs {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let launcher = bench.launcher("create-session")?;
        tokio::task::block_in_place(|| {
            let (pid, _) = launcher.spawn(&Spawn {
                program: &program,
                env: &env,
                stdout: Some(&file),
            })?;
            launcher.wait(pid)
        })?;
        lines.push_str(&std::fs::read_to_string(&file)?);
    }
    bench.limit(None)?;
    Ok(lines)
}

/// The handler's own time, from each request's log line: the rest of the warm latency is the
/// Runtime API exchange and the event and response (de)serialisation around it.
fn handler_p50(log_dir: &Path, name: &str, invocations: usize) -> Result<f64, Error> {
    let text = std::fs::read_to_string(log_dir.join(format!("{name}.log")))?;
    let times: Vec<Duration> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["latency_ms"].as_f64())
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect();
    // The warm-up rounds came first.
    let mut times = times[times.len().saturating_sub(invocations)..].to_vec();
    times.sort_unstable();
    Ok(ms(percentile(&times, 50.0)))
}

/// Warm latencies of `runtime-floor`, a function that answers without DynamoDB.
async fn runtime_floor(bench: &mut Bench<'_>, rounds: usize) -> Result<Vec<Duration>, Error> {
    if !bench.functions.contains_key(FLOOR) {
        return Ok(Vec::new());
    }
    let log = bench.log_dir.join("runtime-floor.log");
    let (pid, _) = bench.spawn("runtime-floor", 1769, Some(&log))?;
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds + 50 {
        let (latency, _) = bench
            .invoke("runtime-floor", bench.events.get(FIXTURE_ID)?, 200)
            .await?;
        if i >= 50 {
            samples.push(latency);
        }
    }
    bench.stop("runtime-floor", pid)?;
    samples.sort_unstable();
    Ok(samples)
}

/// DynamoDB requests per invocation, counted by the proxy over `samples` invocations per verb.
async fn count_requests(
    bench: &mut Bench<'_>,
    proxy: &project_session::dynamodb::DynamoProxy,
) -> Result<Value, Error> {
    const SAMPLES: usize = 10;
    let mut counted = serde_json::Map::new();
    for name in FUNCTIONS {
        let ids = if matches!(name, "get-session" | "update-session" | "delete-session") {
            bench.create_sessions(SAMPLES).await?
        } else {
            Vec::new()
        };
        let (pid, _) = bench.spawn(name, 1769, None)?;
        proxy.take_counts();
        for i in 0..SAMPLES {
            let id = ids.get(i).cloned().unwrap_or_default();
            let outcome = bench.functions[name]
                .api
                .invoke(bench.event_for(name, &id)?)
                .await?;
            let status = status_of(&outcome)?;
            if status >= 400 {
                return Err(format!("{name} answered {status} in the counting pass").into());
            }
        }
        let counts = proxy.take_counts();
        bench.stop(name, pid)?;
        let made: u64 = counts.values().sum();
        let mut operations: Vec<String> = counts.keys().cloned().collect();
        operations.sort();
        counted.insert(
            name.to_string(),
            json!({ "per_invocation": made as f64 / SAMPLES as f64, "operations": operations.join(", ") }),
        );
    }
    Ok(Value::Object(counted))
}

/// The item each write of one draft's life is billed on, and what a read costs, through the
/// functions (sizes read back from DynamoDB after each step).
async fn billing(
    bench: &mut Bench<'_>,
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(Value, SessionVerbs), Error> {
    use dynamodb::{item_size, raw_item, read_units, write_units};
    let mut pids = Vec::new();
    for name in [
        "create-session",
        "update-session",
        "get-session",
        "delete-session",
    ] {
        pids.push((name, bench.spawn(name, 1769, None)?.0));
    }
    let mut steps = Vec::new();
    let created = bench
        .invoke("create-session", bench.events.create()?, 201)
        .await?;
    let id = session_id(&created.1)?;
    let mut size = item_size(&raw_item(client, table, &id).await?);
    steps
        .push(json!({"step": "create (PutItem)", "bytes": size, "write_units": write_units(size)}));
    let mut autosave_units = Vec::new();
    for (field, value) in AUTOSAVES {
        let event = bench.events.autosave(&id, field, json!(value))?;
        bench.invoke("update-session", event, 200).await?;
        let after = item_size(&raw_item(client, table, &id).await?);
        let units = write_units(size.max(after));
        autosave_units.push(units as f64);
        steps.push(json!({"step": format!("autosave {field} (UpdateItem)"), "bytes": size.max(after), "write_units": units}));
        size = after;
    }
    bench
        .invoke("get-session", bench.events.get(&id)?, 200)
        .await?;
    steps.push(json!({"step": "read (GetItem, strongly consistent)", "bytes": size, "read_units": read_units(size)}));
    bench
        .invoke("delete-session", bench.events.delete(&id)?, 200)
        .await?;
    // A delete marks the item deleted and empties it (an UpdateItem); TTL removes it later.
    let after = item_size(&raw_item(client, table, &id).await?);
    steps.push(
        json!({"step": "delete (UpdateItem: the deleted mark)", "bytes": size.max(after), "write_units": write_units(size.max(after))}),
    );
    for (name, pid) in pids {
        bench.stop(name, pid)?;
    }
    let units = |step: &Value, key: &str| step[key].as_f64().unwrap_or(0.0);
    let verbs = SessionVerbs {
        create: VerbCost {
            write_units: units(&steps[0], "write_units"),
            ..VerbCost::default()
        },
        autosave: VerbCost {
            write_units: autosave_units.iter().sum::<f64>() / autosave_units.len().max(1) as f64,
            ..VerbCost::default()
        },
        read: VerbCost {
            read_units: units(&steps[steps.len() - 2], "read_units"),
            ..VerbCost::default()
        },
        delete: VerbCost {
            write_units: units(&steps[steps.len() - 1], "write_units"),
            ..VerbCost::default()
        },
    };
    Ok((Value::Array(steps), verbs))
}

fn with_durations(units: SessionVerbs, functions: &Value) -> SessionVerbs {
    let billed = |name: &str| functions[name]["billed_ms_mean"].as_f64().unwrap_or(0.0);
    SessionVerbs {
        create: VerbCost {
            billed_ms: billed("create-session"),
            ..units.create
        },
        autosave: VerbCost {
            billed_ms: billed("update-session"),
            ..units.autosave
        },
        read: VerbCost {
            billed_ms: billed("get-session"),
            ..units.read
        },
        delete: VerbCost {
            billed_ms: billed("delete-session"),
            ..units.delete
        },
    }
}

fn functions_json(measured: &HashMap<&'static str, Measured>) -> Value {
    Value::Object(
        measured
            .iter()
            .map(|(name, m)| (name.to_string(), m.to_json()))
            .collect(),
    )
}

pub async fn run(root: &Path) -> Result<(), Error> {
    let bin_dir = PathBuf::from(
        std::env::var("BENCH_BIN_DIR")
            .unwrap_or_else(|_| root.join("target/release").display().to_string()),
    );
    let out_dir = root.join("target/bench");
    let log_dir = out_dir.join("logs");
    std::fs::create_dir_all(&log_dir)?;
    let dynamodb_local = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")?;
    let table = std::env::var("TABLE_NAME")?;
    let (cold_runs, rounds) = (
        number("BENCH_COLD_RUNS", 20),
        number("BENCH_WARM_ROUNDS", 1000),
    );
    let (share_cold_runs, share_rounds) = (
        number("BENCH_SHARE_COLD_RUNS", 10),
        number("BENCH_SHARE_ROUNDS", 300),
    );
    let memory_sizes = numbers("BENCH_MEMORY_SIZES", &[128, 256, 512, 1024, 1769]);
    let periods = numbers("BENCH_PERIODS_US", &[100_000, 10_000]);

    let tls = TlsEndpoint::start(&dynamodb_local, &out_dir).await?;
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
    // One group per function, named for this run; none (full speed only) when not allowed here.
    CpuGroup::remove_stale(Path::new(CGROUP_ROOT), "project-session-bench-");
    let mut groups = HashMap::new();
    let mut no_share = None;
    for name in FUNCTIONS {
        let group_name = format!("project-session-bench-{}-{name}", std::process::id());
        match CpuGroup::create(Path::new(CGROUP_ROOT), &group_name) {
            Ok(group) => {
                groups.insert(name, group);
            }
            Err(why) => {
                no_share = Some(why);
                break;
            }
        }
    }
    if let Some(why) = &no_share {
        eprintln!("lambda-bench: {why}; measuring at full speed only (CPU shares need root and cgroup v1)");
        groups.clear();
    }
    let floor = bin_dir.join(FLOOR);
    if floor.exists() {
        let api = RuntimeApi::start(FLOOR).await?;
        functions.insert(
            FLOOR,
            Function {
                name: FLOOR,
                binary: floor,
                api,
            },
        );
    }
    let mut launchers = HashMap::new();
    for name in FUNCTIONS {
        match Launcher::start(groups.get(name)) {
            Ok(launcher) => {
                launchers.insert(name, launcher);
            }
            Err(e) => {
                let why = format!("cannot move a process into a CPU group: {e}");
                eprintln!("lambda-bench: {why}; measuring at full speed only");
                no_share = Some(why);
                break;
            }
        }
    }
    if no_share.is_some() && !groups.is_empty() {
        launchers.clear();
        groups.clear();
        for name in FUNCTIONS {
            launchers.insert(name, Launcher::start(None)?);
        }
    }
    let shares_possible = !groups.is_empty();
    let mut bench = Bench {
        functions,
        events: Events {
            dir: root.join("events"),
        },
        endpoint: Endpoint {
            url: tls.url(),
            extra_ca_file: Some(&tls.ca_file),
        },
        launchers,
        groups,
        log_dir: log_dir.clone(),
    };

    // DynamoDB Local's JVM compiles its hot paths first: not in anyone's numbers.
    let client = project_session::dynamodb::client(3, Some(&tls.ca_file))?;
    let client = aws_sdk_dynamodb::Client::from_conf(
        client.config().to_builder().endpoint_url(tls.url()).build(),
    );
    dynamodb::direct_requests(&client, &table, &bench.events, 300).await?;

    eprintln!("lambda-bench: full speed");
    let full = bench.at(None, cold_runs, rounds, true).await?;
    let mut full_json = functions_json(&full);
    for name in FUNCTIONS {
        let invocations = full.get(name).map_or(0, |m| m.warm.len());
        full_json[name]["handler_p50_ms"] = json!(handler_p50(&log_dir, name, invocations)?);
    }
    let requests = count_requests(&mut bench, &tls.proxy).await?;
    let floor = runtime_floor(&mut bench, rounds).await?;

    // The harness's own requests, from a warm client, through the same HTTPS endpoint.
    let probe = bench
        .create_sessions(1)
        .await?
        .pop()
        .unwrap_or_else(|| FIXTURE_ID.into());
    let bare = dynamodb::bare_get_item(&client, &table, &probe, rounds).await?;
    let direct = dynamodb::direct_requests(&client, &table, &bench.events, rounds).await?;
    for (name, p50) in &direct {
        full_json[*name]["direct_p50_ms"] = json!(ms(*p50));
    }
    let (billing_steps, units) = billing(&mut bench, &client, &table).await?;
    let profile = init_profiles(&mut bench, &bin_dir, None, 10).await?;
    std::fs::write(out_dir.join("init-profile.txt"), profile)?;
    if shares_possible {
        let share = Share::new(128, 100_000);
        let profile = init_profiles(&mut bench, &bin_dir, Some(share), 10).await?;
        std::fs::write(out_dir.join("init-profile-128.txt"), profile)?;
    }

    let mut shares = Vec::new();
    if shares_possible {
        for &memory_mb in &memory_sizes {
            for &period_us in &periods {
                let share = Share::new(memory_mb as u32, period_us);
                eprintln!(
                    "lambda-bench: {memory_mb} MB, {} µs of every {} µs",
                    share.quota_us(),
                    share.period_us
                );
                let measured = bench
                    .at(Some(share), share_cold_runs, share_rounds, false)
                    .await?;
                let functions = functions_json(&measured);
                let cost =
                    cost::per_million_sessions(share.memory_mb, &with_durations(units, &functions));
                shares.push(json!({
                    "memory_mb": share.memory_mb,
                    "requested_period_us": period_us,
                    "period_us": share.period_us,
                    "quota_us": share.quota_us(),
                    "functions": functions,
                    "cost_per_million_sessions": {
                        "lambda": cost.lambda, "http_api": cost.http_api,
                        "dynamodb": cost.dynamodb, "total": cost.total(),
                    },
                }));
            }
        }
    }
    drop(bench);

    let results = json!({
        "cpu_share": no_share,
        "full_speed": full_json,
        "requests": requests,
        "runtime_floor": {
            "p50_ms": ms(percentile(&floor, 50.0)), "min_ms": ms(floor.first().copied().unwrap_or_default()),
            "p90_ms": ms(percentile(&floor, 90.0)), "invocations": floor.len(),
        },
        "bare_getitem": {
            "p50_ms": ms(percentile(&bare, 50.0)), "min_ms": ms(bare.first().copied().unwrap_or_default()),
            "p90_ms": ms(percentile(&bare, 90.0)), "p99_ms": ms(percentile(&bare, 99.0)), "requests": bare.len(),
        },
        "billing": billing_steps,
        "shares": shares,
        "runs": { "cold": cold_runs, "rounds": rounds, "share_cold": share_cold_runs, "share_rounds": share_rounds, "autosaves_per_round": AUTOSAVES.len() },
    });
    std::fs::write(
        out_dir.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    Ok(())
}
