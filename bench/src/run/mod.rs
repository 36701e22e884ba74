//! One run: full speed first (latency, CPU time, requests counted, the floors), then the same
//! draft's life at the CPU share of each memory size and period. Writes
//! `target/bench/results.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::cost::{self, SessionVerbs};
use crate::cpu_share::{CpuGroup, Launcher, Share};
use crate::dynamodb::{self, TlsEndpoint};
use crate::functions::{Endpoint, Events, Function, AUTOSAVES, FIXTURE_ID, FUNCTIONS};
use crate::runtime_api::RuntimeApi;
use crate::stats::{ms, percentile};
use crate::Error;

mod billing;
mod harness;

use billing::{billing, count_requests, functions_json, with_durations};
use harness::{handler_p50, init_profiles, runtime_floor, Bench};

const CGROUP_ROOT: &str = "/sys/fs/cgroup/cpu";
/// A function built like ours whose handler answers at once, without DynamoDB: its cold start
/// at a share is what the process and the Lambda machinery cost before any request of ours.
pub(crate) const FLOOR: &str = "runtime-floor";

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

/// How much to measure (the environment variables `main.rs` lists).
struct Settings {
    cold_runs: usize,
    rounds: usize,
    share_cold_runs: usize,
    share_rounds: usize,
    memory_sizes: Vec<u64>,
    periods: Vec<u64>,
}

impl Settings {
    fn from_env() -> Settings {
        Settings {
            cold_runs: number("BENCH_COLD_RUNS", 20),
            rounds: number("BENCH_WARM_ROUNDS", 1000),
            share_cold_runs: number("BENCH_SHARE_COLD_RUNS", 10),
            share_rounds: number("BENCH_SHARE_ROUNDS", 300),
            memory_sizes: numbers("BENCH_MEMORY_SIZES", &[128, 256, 512, 1024, 1769]),
            periods: numbers("BENCH_PERIODS_US", &[100_000, 10_000]),
        }
    }
}

/// Each function's binary with its own Runtime API, and the runtime floor's if it was built.
async fn start_functions(bin_dir: &Path) -> Result<HashMap<&'static str, Function>, Error> {
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
    Ok(functions)
}

type Launchers = HashMap<&'static str, Launcher>;
type Groups = HashMap<&'static str, CpuGroup>;

/// One CPU group and launcher per function, or plain launchers and the reason why not (CPU
/// shares need root and cgroup v1).
fn cpu_groups() -> Result<(Launchers, Groups, Option<String>), Error> {
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
    Ok((launchers, groups, no_share))
}

/// The draft's life at the CPU share of each memory size and period, with its cost.
async fn at_each_share(
    bench: &mut Bench<'_>,
    settings: &Settings,
    units: SessionVerbs,
) -> Result<Vec<Value>, Error> {
    let mut shares = Vec::new();
    for &memory_mb in &settings.memory_sizes {
        for &period_us in &settings.periods {
            let share = Share::new(memory_mb as u32, period_us);
            eprintln!(
                "lambda-bench: {memory_mb} MB, {} µs of every {} µs",
                share.quota_us(),
                share.period_us
            );
            let measured = bench
                .at(
                    Some(share),
                    settings.share_cold_runs,
                    settings.share_rounds,
                    false,
                )
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
    Ok(shares)
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
    let settings = Settings::from_env();
    let (cold_runs, rounds) = (settings.cold_runs, settings.rounds);
    let tls = TlsEndpoint::start(&dynamodb_local, &out_dir).await?;
    let functions = start_functions(&bin_dir).await?;
    let (launchers, groups, no_share) = cpu_groups()?;
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

    let shares = if shares_possible {
        at_each_share(&mut bench, &settings, units).await?
    } else {
        Vec::new()
    };
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
        "runs": { "cold": cold_runs, "rounds": rounds, "share_cold": settings.share_cold_runs, "share_rounds": settings.share_rounds, "autosaves_per_round": AUTOSAVES.len() },
    });
    std::fs::write(
        out_dir.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    Ok(())
}
