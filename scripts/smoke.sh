#!/usr/bin/env bash
# A smoke test of a running API (the deploy workflow runs it against the stack's ApiUrl; the test
# command against scripts/dev.sh): health, then create, update, get and delete one draft, each
# answered as openapi.yaml says.
#
# Owned mode: a token obtained now by OAuth 2.0 client credentials (SMOKE_TOKEN_URL, the issuer's
# token endpoint, SMOKE_CLIENT_ID, SMOKE_CLIENT_SECRET, and SMOKE_SCOPE if the issuer wants one;
# docs/deploy.md), or SMOKE_TOKEN, a bearer token given as is. SMOKE_CONNECT_TO=HOST:PORT:TO:PORT
# sends every request for API_URL's host to another address (curl --connect-to): a custom domain
# tested at its API Gateway endpoint before its DNS record exists.
#
# Usage: scripts/smoke.sh API_URL
set -euo pipefail
api=${1:?usage: scripts/smoke.sh API_URL}
api=${api%/}
body=$(mktemp)
trap 'rm -f "$body"' EXIT
curl() { command curl ${SMOKE_CONNECT_TO:+--connect-to "$SMOKE_CONNECT_TO"} "$@"; }

# A value inside a double-quoted curl config string: backslash and quote escaped.
quoted() { local v=${1//\\/\\\\}; printf '%s' "${v//\"/\\\"}"; }

if [ -z "${SMOKE_TOKEN:-}" ] && [ -n "${SMOKE_TOKEN_URL:-}" ]; then
  # The client's secret goes through curl's config on stdin, never its command line.
  SMOKE_TOKEN=$(printf 'user = "%s:%s"\n' "$(quoted "${SMOKE_CLIENT_ID:?SMOKE_TOKEN_URL needs SMOKE_CLIENT_ID}")" \
    "$(quoted "${SMOKE_CLIENT_SECRET:?SMOKE_TOKEN_URL needs SMOKE_CLIENT_SECRET}")" \
    | command curl -sS --fail-with-body --max-time 20 -K - -d grant_type=client_credentials \
      ${SMOKE_SCOPE:+--data-urlencode "scope=$SMOKE_SCOPE"} "$SMOKE_TOKEN_URL" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') \
    || { echo "smoke: no token from $SMOKE_TOKEN_URL" >&2; exit 1; }
fi
auth=()
[ -n "${SMOKE_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $SMOKE_TOKEN")

# request METHOD PATH EXPECTED_STATUS [JSON]: the body lands in $body.
request() {
  local method=$1 path=$2 expected=$3 data=${4:-} status
  local args=(-sS -o "$body" -w '%{http_code}' -X "$method" "${auth[@]}" -H 'Accept: application/json')
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
  status=$(curl "${args[@]}" --max-time 20 "$api$path") || { echo "smoke: $method $path: no answer" >&2; exit 1; }
  if [ "$status" != "$expected" ]; then
    echo "smoke: $method $path answered $status, not $expected: $(head -c 300 "$body")" >&2
    exit 1
  fi
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$body" "$1"; }

request GET /health 200
key=$(python3 -c 'import uuid; print(uuid.uuid4())')
status=$(curl -sS -o "$body" -w '%{http_code}' -X POST "${auth[@]}" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $key" --data '{"projectData":{"projectName":"Smoke test"}}' --max-time 20 "$api/project-session")
[ "$status" = 201 ] || { echo "smoke: POST /project-session answered $status: $(head -c 300 "$body")" >&2; exit 1; }
id=$(field sessionId)
request PUT "/project-session/$id" 200 '{"projectData":{"buildingType":"office"},"currentStep":2}'
request GET "/project-session/$id" 200
python3 - "$body" <<'PY'
import json, sys
draft = json.load(open(sys.argv[1]))
assert draft["projectData"] == {"projectName": "Smoke test", "buildingType": "office"}, draft
assert draft["currentStep"] == 2 and draft["version"] == 2, draft
PY
request DELETE "/project-session/$id" 200
request GET "/project-session/$id" 404
echo "smoke: $api answers health, create, update, get and delete" >&2
