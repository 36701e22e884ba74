//! The benchmark behind BENCHMARKS.md (run it with `scripts/bench.sh`, which builds the
//! release functions and starts DynamoDB Local first).
//!
//! Each function binary runs as Lambda runs it: its own process, under a local Lambda Runtime
//! API (`runtime_api`), fed API Gateway v2 events from `events/` (`functions`), talking HTTPS to
//! DynamoDB Local through a counting proxy (`dynamodb`). It runs once at full speed, then at
//! the CPU share of each memory size (`cpu_share`), and writes what it measured as JSON for
//! `lambda-bench report` (`report`), which puts the tables into BENCHMARKS.md.
//!
//! `lambda-bench` measures; `lambda-bench launch` is the launcher it starts in the CPU group;
//! `lambda-bench report` writes BENCHMARKS.md's tables from `target/bench/`.
//!
//! Environment: `BENCH_BIN_DIR` (the release binaries), `AWS_ENDPOINT_URL_DYNAMODB`,
//! `TABLE_NAME`, `BENCH_COLD_RUNS` (20) and `BENCH_WARM_ROUNDS` (1000) at full speed,
//! `BENCH_SHARE_COLD_RUNS` (10) and `BENCH_SHARE_ROUNDS` (300) at each share,
//! `BENCH_MEMORY_SIZES` (128,256,512,1024,1769), `BENCH_PERIODS_US` (100000,10000).

mod clock;
mod cost;
mod cpu_share;
mod dynamodb;
mod functions;
mod report;
mod run;
mod runtime_api;
mod stats;
mod typing;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::args().nth(1).as_deref() {
        Some("launch") => cpu_share::serve_launches(),
        Some("report") => report::write(&root),
        _ => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(run::run(&root)),
    }
}
