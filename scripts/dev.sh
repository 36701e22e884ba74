#!/usr/bin/env bash
# Runs the whole API locally (docs/development.md): DynamoDB Local in memory, the table as
# template.yaml declares it, and `cargo lambda watch` answering every route on
# http://localhost:$PORT, and the demo wizard (web/) on http://localhost:$WEB_PORT calling it.
# Ctrl-C stops everything it started.
#
# Overridable: PORT (9000), DYNAMODB_PORT (8000), WEB_PORT (5173), TABLE_NAME (project-sessions),
# SESSION_TTL (86400), SESSION_MAX_LIFETIME (604800), SESSION_MAX_ATTEMPTS (3),
# CONCURRENCY (8 requests per function at once), AUTH_MODE (none; jwt: owned drafts, with a
# local token issuer and API Gateway's JWT authorizer in scripts/local_gateway.py),
# MAX_DRAFTS_PER_OWNER (20), ALLOWED_ORIGINS (origins allowed besides the demo's, comma-separated).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT=${PORT:-9000}
DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
WEB_PORT=${WEB_PORT:-5173}
export TABLE_NAME=${TABLE_NAME:-project-sessions}
export SESSION_TTL=${SESSION_TTL:-86400}
export SESSION_MAX_LIFETIME=${SESSION_MAX_LIFETIME:-604800}
export SESSION_MAX_ATTEMPTS=${SESSION_MAX_ATTEMPTS:-3}
CONCURRENCY=${CONCURRENCY:-8}
export AUTH_MODE=${AUTH_MODE:-none}
export MAX_DRAFTS_PER_OWNER=${MAX_DRAFTS_PER_OWNER:-20}
case "$AUTH_MODE" in none | jwt) ;; *) die "AUTH_MODE must be none or jwt" ;; esac

require_tools cargo java npm python3
port_free "$PORT" || die "port $PORT is in use: set PORT to another"
port_free "$DYNAMODB_PORT" || die "port $DYNAMODB_PORT is in use: set DYNAMODB_PORT to another"
port_free "$WEB_PORT" || die "port $WEB_PORT is in use: set WEB_PORT to another"
install_dynamodb_local
install_web_deps
install_python_tools cargo-lambda pyyaml
# Vite's cache (pre-bundled deps, and the lock that allows one server per cache) is per run,
# so that tests can run several copies of this script at once.
VITE_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/project-session-vite.XXXXXX")
trap 'stop_started; rm -rf "$VITE_CACHE_DIR"' EXIT
trap 'exit 130' INT TERM

start_dynamodb_local "$DYNAMODB_PORT"
use_dynamodb_local "$DYNAMODB_PORT"
cargo run --quiet -p project-session --example local-table

# API Gateway as template.yaml declares it (routes, CORS, payload 2.0, the JWT authorizer in
# owned mode) in front of `cargo lambda watch`, which it starts, and starts again after any edit
# of the functions' code (scripts/local_gateway.py). Lambda runs concurrent requests in separate
# instances; --concurrency lets two tabs do the same.
ALLOWED_ORIGINS="http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT${ALLOWED_ORIGINS:+,$ALLOWED_ORIGINS}" \
  python3 scripts/local_gateway.py "$PORT" -- --concurrency "$CONCURRENCY" \
  --env-var "TABLE_NAME=$TABLE_NAME" --env-var "SESSION_TTL=$SESSION_TTL" \
  --env-var "SESSION_MAX_LIFETIME=$SESSION_MAX_LIFETIME" \
  --env-var "SESSION_MAX_ATTEMPTS=$SESSION_MAX_ATTEMPTS" \
  --env-var "AUTH_MODE=$AUTH_MODE" --env-var "MAX_DRAFTS_PER_OWNER=$MAX_DRAFTS_PER_OWNER" \
  --env-var "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB" \
  --env-var "AWS_REGION=$AWS_REGION" --env-var "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID" \
  --env-var "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY" &
PIDS+=($!)
# The demo calls the API cross-origin, as a frontend on another host calls API Gateway.
(cd web && WEB_PORT=$WEB_PORT VITE_API_URL="http://localhost:$PORT" VITE_AUTH_MODE=$AUTH_MODE \
  VITE_CACHE_DIR=$VITE_CACHE_DIR \
  exec node node_modules/vite/bin/vite.js --clearScreen false --logLevel warn) &
PIDS+=($!)
echo "API on http://localhost:$PORT: building and starting every function once" >&2
# Every function once, so that no first request waits for a build. Tests wait for "ready:".
python3 scripts/warm.py "http://127.0.0.1:$PORT" || die "a function did not start (see above)"
echo "ready: API on http://localhost:$PORT, demo wizard on http://localhost:$WEB_PORT; Ctrl-C stops everything" >&2
# Whichever stops first ends the run, and the trap stops the others.
wait -n "${PIDS[@]}"
