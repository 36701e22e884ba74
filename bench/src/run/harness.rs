//! The harness: each function as its own process under its Runtime API, at a CPU share or at
//! full speed, invoked and timed (`Bench`); what one function showed (`Measured`); and the
//! floors (init-profile, the runtime floor, the handler's own time).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::FLOOR;
use crate::cost;
use crate::cpu_share::{cpu_time, peak_rss_kib, CpuGroup, Launcher, Share, Spawn};
use crate::functions::{
    session_id, status_of, Endpoint, Events, Function, AUTOSAVES, FIXTURE_ID, FUNCTIONS,
};
use crate::runtime_api::RuntimeApi;
use crate::stats::{mean, ms, percentile};
use crate::Error;

const WARM_UP_ROUNDS: usize = 20;

pub(super) struct Bench<'a> {
    pub(super) functions: HashMap<&'static str, Function>,
    pub(super) events: Events,
    pub(super) endpoint: Endpoint<'a>,
    /// The launcher that sits in each function's CPU group. Declared before `groups`, so
    /// dropped first: a group can only be removed once its processes have exited.
    pub(super) launchers: HashMap<&'static str, Launcher>,
    /// Each function's own CPU group (as each Lambda instance has its own share); none when
    /// groups cannot be made here.
    pub(super) groups: HashMap<&'static str, CpuGroup>,
    pub(super) log_dir: PathBuf,
}

/// What one function showed at one share.
#[derive(Default)]
pub(super) struct Measured {
    cold: Vec<Duration>,
    init: Vec<Duration>,
    cold_cpu: Vec<Duration>,
    pub(super) warm: Vec<Duration>,
    warm_cpu_per_invocation: Duration,
    peak_rss_kib: Option<u64>,
    times_throttled: u64,
}

impl Measured {
    pub(super) fn to_json(&self) -> Value {
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
    pub(super) fn env(&self, name: &str, memory_mb: u32) -> Result<Vec<(String, String)>, Error> {
        self.functions[name].env(&self.endpoint, memory_mb)
    }

    pub(super) fn spawn(
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
    pub(super) fn launcher(&mut self, name: &str) -> Result<&mut Launcher, Error> {
        let name = if self.launchers.contains_key(name) {
            name
        } else {
            "create-session"
        };
        self.launchers
            .get_mut(name)
            .ok_or_else(|| "no launcher".into())
    }

    pub(super) fn stop(&mut self, name: &str, pid: u32) -> Result<(), Error> {
        let launcher = self.launcher(name)?;
        tokio::task::block_in_place(|| launcher.stop(pid))
    }

    /// Every group at `share`, or at full speed.
    pub(super) fn limit(&self, share: Option<Share>) -> Result<(), Error> {
        for group in self.groups.values() {
            match share {
                Some(share) => group.limit(share)?,
                None => group.unlimit()?,
            }
        }
        Ok(())
    }

    pub(super) fn throttled(&self, name: &str) -> u64 {
        self.groups.get(name).map_or(0, |g| g.throttled().0)
    }

    pub(super) fn event_for(&self, name: &str, id: &str) -> Result<String, Error> {
        match name {
            "create-session" => self.events.create(),
            "get-session" => self.events.get(id),
            "update-session" => self.events.autosave(id, "projectName", json!("Cold")),
            "delete-session" => self.events.delete(id),
            _ => self.events.health(),
        }
    }

    /// `count` fresh sessions, made through a create-session process of their own.
    pub(super) async fn create_sessions(&mut self, count: usize) -> Result<Vec<String>, Error> {
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
    pub(super) async fn cold_starts(
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
    pub(super) async fn warm(
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

    pub(super) async fn invoke(
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
    pub(super) async fn at(
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
pub(super) async fn init_profiles(
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
pub(super) fn handler_p50(log_dir: &Path, name: &str, invocations: usize) -> Result<f64, Error> {
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
pub(super) async fn runtime_floor(
    bench: &mut Bench<'_>,
    rounds: usize,
) -> Result<Vec<Duration>, Error> {
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
