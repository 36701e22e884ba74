#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine (docs/development.md, "Run the tests"): installs DynamoDB Local,
# cargo-lambda, the SAM CLI and cfn-lint into .local/, the frontend's packages into web/, and
# Debian's Chromium; lints the template; starts DynamoDB Local on a free port and creates the
# table; runs every test (the end-to-end, contract and browser tests start scripts/dev.sh
# themselves); builds the deployment packages with `sam build` (no Docker); stops what it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_tools cargo java npm python3 openssl
install_dynamodb_local
install_python_tools cargo-lambda pyyaml aws-sam-cli cfn-lint schemathesis
install_web_deps
install_chromium
export CHROMIUM_PATH
trap stop_started EXIT INT TERM

# Offline: both only need a region to be set.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-1} SAM_CLI_TELEMETRY=0
cfn-lint template.yaml
sam validate --lint
# What the stack deploys under each parameter set (scripts/template_modes.py resolves what
# AWS::LanguageExtensions would): SAM's own translation, then both linters. What SAM makes of
# each set (cycles, cfn-lint, alarms) is checked by scripts/test_template_modes.py below.
templates=$(python3 scripts/template_modes.py "$LOCAL/templates")
for template in $templates; do
  sam validate -t "$template" >/dev/null
  sam validate --lint -t "$template"
  cfn-lint "$template"
done

port=$(free_port)
start_dynamodb_local "$port"
use_dynamodb_local "$port"
export TABLE_NAME=project-sessions-test
# The API suite's table: no TTL sweep, so expired drafts stay stored as long as a test needs.
export LAGGING_TABLE_NAME=project-sessions-lagging

cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo build --quiet --workspace --bins
# The benchmark (bench/) is not run here, but its micro-benchmark must keep compiling; its unit
# tests run with the others below.
cargo build --quiet -p project-session --examples
cargo build --quiet -p project-session-bench --benches
cargo run --quiet -p project-session --example local-table
TABLE_NAME=$LAGGING_TABLE_NAME TTL_SWEEP=off cargo run --quiet -p project-session --example local-table
log="$LOCAL/test-output.log"
rm -f "$LOCAL"/vitest-*.json
status=0
# The frontend (web/): types, then unit tests of the client and the hook.
(cd web && npx --no-install tsc --noEmit) || status=$?
# The GitHub Actions workflows (.github/workflows), against GitHub's workflow schema.
(cd web && npm run --silent lint:workflows) || status=$?
# The npm package: tsdown builds web/dist/, then publint and attw check what npm would publish.
(cd web && npm run --silent check:package) || status=$?
# The API's reference page, rendered from openapi.yaml by Redocly into target/docs/api.html.
(cd web && npm run --silent docs:api) || status=$?
vitest() { (cd web && npx --no-install vitest run --project "$1" --reporter=default --reporter=json --outputFile.json="$LOCAL/vitest-$1.json"); }
vitest unit || status=$?
# The template as CloudFormation receives it, after SAM's translation, for every parameter set.
# And the docs: every file and test they name exists; and the shared crate's layout (test_layout.py).
(cd scripts && python3 -m unittest -v test_template_modes test_docs test_layout) 2>&1 | tee "$LOCAL/python-tests.log" || status=$?
# Every Rust test the binaries hold, so that the closing line can tell if some did not run;
# --no-fail-fast, so that one failing binary does not stop the others.
cargo test --quiet --workspace --lib --tests -- --list --format terse 2>/dev/null \
  | grep -c ': test$' >"$LOCAL/rust-tests-listed" || true
cargo test --no-fail-fast --workspace --lib --tests 2>&1 | tee "$log" || status=$?
# The Next.js example on @project-session/web as npm packs it, for web/browser/nextjs.test.ts.
build_nextjs_example || status=$?
# Real Chromium against the demo and the API (after cargo test: it needs the functions built).
vitest browser || status=$?
if [ "$status" = 0 ]; then
  # The arm64 release packages, as `sam deploy` would upload them.
  if sam build >"$LOCAL/sam-build.log" 2>&1; then
    python3 scripts/package-sizes.py || status=$?
  else
    tail -n 40 "$LOCAL/sam-build.log"; echo "sam build failed (log: .local/sam-build.log)"; status=1
  fi
fi
# One closing line for the whole run, checked against the list of Rust tests.
python3 scripts/test-summary.py "$log" "$LOCAL/rust-tests-listed" "$LOCAL/python-tests.log" \
  "$LOCAL"/vitest-unit.json "$LOCAL"/vitest-browser.json || status=1
exit "$status"
