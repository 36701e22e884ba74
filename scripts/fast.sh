#!/usr/bin/env bash
# The inner loop (docs/development.md, "The fast loop"): every test that needs no server, no
# DynamoDB Local and no browser. The Rust unit tests, the API suite against the in-memory store
# and the request path's property tests; the frontend's types, unit tests and model checker
# (not the defects put back into it, which the full command runs); the docs' checks. The full
# command, ./scripts/test.sh, runs all of these again and everything else.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_tools cargo npm python3
install_web_deps
status=0
cargo test --quiet --workspace --lib || status=$?
cargo test --quiet -p project-session --test api -- memory_store:: properties:: || status=$?
(cd web && npx --no-install tsc --noEmit) || status=$?
(cd web && npx --no-install vitest run --project unit --exclude test/checker.defects.test.ts) || status=$?
(cd scripts && python3 -m unittest test_docs test_layout) || status=$?
exit "$status"
