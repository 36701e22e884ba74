#!/usr/bin/env bash
# Reproduces cargo-lambda watch's deadlock (README.md here): starts `cargo lambda watch` alone,
# without scripts/local_gateway.py, sends BURST concurrent GET /health (200), then asks once more.
# Exits 1 when watch no longer answers (the bug), 0 when it does. No AWS account, no DynamoDB:
# the health function answers 503 quickly when DynamoDB is unreachable, which is enough.
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"
cd "$ROOT"
BURST=${BURST:-200}
require_tools cargo python3
install_python_tools cargo-lambda
trap stop_started EXIT
port=$(free_port)
AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$(free_port)" AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x TABLE_NAME=t \
  cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" >"$LOCAL/repro-watch.log" 2>&1 &
PIDS+=($!)
python3 - "http://127.0.0.1:$port/health" "$BURST" <<'PY'
import collections, sys, threading, time, urllib.error, urllib.request
url, burst = sys.argv[1], int(sys.argv[2])

def get(timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError as e:
        return type(e).__name__

# One request first, so that the function is built and running before the burst.
for _ in range(600):
    if isinstance(get(600), int):
        break
    time.sleep(1)
counts, barrier = collections.Counter(), threading.Barrier(burst)
def one():
    barrier.wait()
    counts[get(60)] += 1
threads = [threading.Thread(target=one) for _ in range(burst)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{burst} concurrent GET /health: {dict(counts)}")
after = get(10)
print(f"GET /health after the burst: {after}")
sys.exit(0 if isinstance(after, int) else 1)
PY
