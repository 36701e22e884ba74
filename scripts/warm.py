"""Calls every function the local API routes to (template.yaml's routes, as
scripts/local_gateway.py reads them) once, so that no user's or test's first request waits for
`cargo run` to build and start a function.

Usage: warm.py BASE_URL. Each call is answered by the function without a write: the
id is one no draft has, and a body is a JSON array, which no route takes (400).
"""

import json
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import local_gateway

# The first call to a function compiles it: minutes on a fresh, busy machine.
FIRST_CALL_TIMEOUT = 1800
# cargo-lambda 1.9.2's watch now and then never hands a request to the instances it starts for
# it, while the next request is answered: a call unanswered this long is asked again (no call
# writes, so an extra one is harmless).
CALL_TIMEOUT = 120


def wait_until_listening(base: str) -> None:
    url = urllib.parse.urlsplit(base)
    for _ in range(600):
        try:
            socket.create_connection((url.hostname, url.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"warm.py: nothing listens on {base}")


def local_token(base: str) -> str:
    """Owned mode (AUTH_MODE=jwt): a token of the local issuer (scripts/local_gateway.py)."""
    request = urllib.request.Request(
        base + "/local-auth/token", data=json.dumps({"sub": "warm-up"}).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["access_token"]


def call(base: str, method: str, path: str, token: str | None = None) -> tuple[int, object]:
    body = b"[]" if method in ("POST", "PUT") else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
            status, text, own = response.status, response.read(), response.headers.get("X-Local-Gateway")
    except urllib.error.HTTPError as error:
        status, text, own = error.code, error.read(), error.headers.get("X-Local-Gateway")
    if own:
        # scripts/local_gateway.py answered, not a function: watch is not listening yet.
        return status, None
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def answered_by_a_function(body: object) -> bool:
    """Our functions answer `{"error": ...}`, health's `{"dynamodb": ...}` or (owned mode) the
    list's `{"drafts": ...}`; anything else (cargo lambda watch's own 5xx after a failed build,
    say) means the function did not run."""
    return isinstance(body, dict) and ("error" in body or "dynamodb" in body or "drafts" in body)


def main() -> None:
    base = sys.argv[1]
    api = local_gateway.api_from_environment()
    wait_until_listening(base)
    token = local_token(base) if api.authorizer else None
    warmed = set()
    for route in api.routes:
        function, method, path = route.function, route.method, route.path
        if function in warmed:
            continue
        concrete = path.replace("{sessionId}", str(uuid.uuid4()))
        deadline = time.monotonic() + FIRST_CALL_TIMEOUT
        while True:
            try:
                status, body = call(base, method, concrete, token)
            except TimeoutError:
                # Still building, or the request was lost in watch: ask again.
                status, body = 0, None
            except OSError as error:
                sys.exit(f"warm.py: {method} {path} ({function}) got no answer: {error}")
            # The gateway's own answer (watch still starting, on a cold build): ask again.
            if body is not None or time.monotonic() > deadline:
                break
            time.sleep(1)
        if not answered_by_a_function(body):
            sys.exit(f"warm.py: {method} {path} ({function}) answered {status}: {body!r}")
        warmed.add(function)
    print(f"warmed {len(warmed)} functions: {', '.join(sorted(warmed))}", file=sys.stderr)


if __name__ == "__main__":
    main()
