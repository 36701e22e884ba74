#!/usr/bin/env bash
# Runs the whole API locally (README, "Run it locally"): DynamoDB Local in memory, the table as
# template.yaml declares it, and `cargo lambda watch` answering every route on
# http://localhost:$PORT. Ctrl-C stops everything it started.
#
# Overridable: PORT (9000), DYNAMODB_PORT (8000), TABLE_NAME (project-sessions),
# SESSION_TTL (86400), SESSION_MAX_LIFETIME (604800), SESSION_MAX_ATTEMPTS (3),
# CONCURRENCY (8 requests per function at once).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT=${PORT:-9000}
DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
export TABLE_NAME=${TABLE_NAME:-project-sessions}
export SESSION_TTL=${SESSION_TTL:-86400}
export SESSION_MAX_LIFETIME=${SESSION_MAX_LIFETIME:-604800}
export SESSION_MAX_ATTEMPTS=${SESSION_MAX_ATTEMPTS:-3}
CONCURRENCY=${CONCURRENCY:-8}

require_tools cargo java npm python3
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }
port_free "$PORT" || die "port $PORT is in use: set PORT to another"
port_free "$DYNAMODB_PORT" || die "port $DYNAMODB_PORT is in use: set DYNAMODB_PORT to another"
install_dynamodb_local
install_python_tools cargo-lambda
trap stop_started EXIT
trap 'exit 130' INT TERM

start_dynamodb_local "$DYNAMODB_PORT"
use_dynamodb_local "$DYNAMODB_PORT"
cargo run --quiet -p project-session --example local-table

# Lambda runs concurrent requests in separate instances; --concurrency lets two tabs do the same.
cargo lambda watch --invoke-port "$PORT" --concurrency "$CONCURRENCY" \
  --env-var "TABLE_NAME=$TABLE_NAME" --env-var "SESSION_TTL=$SESSION_TTL" \
  --env-var "SESSION_MAX_LIFETIME=$SESSION_MAX_LIFETIME" \
  --env-var "SESSION_MAX_ATTEMPTS=$SESSION_MAX_ATTEMPTS" \
  --env-var "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB" \
  --env-var "AWS_REGION=$AWS_REGION" --env-var "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID" \
  --env-var "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY" &
PIDS+=($!)
echo "API on http://localhost:$PORT (functions compile on their first request); Ctrl-C stops it" >&2
# Whichever stops first (watch or DynamoDB Local) ends the run, and the trap stops the other.
wait -n "${PIDS[@]}"
