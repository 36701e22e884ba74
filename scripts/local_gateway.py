"""API Gateway as template.yaml declares it, in front of `cargo lambda watch`, for
`scripts/dev.sh` in both modes: one emulation, read from the template, rather than watch's own
router (which differs from AWS: it answers a body that is not UTF-8 with a plain-text 500 of its
own, and sends no CORS headers).

What it reads from template.yaml, resolved for the mode as AWS::LanguageExtensions resolves it
(scripts/template_modes.py):

- the routes: each function's `HttpApi` events (the list only in owned mode);
- CORS: the `HttpApi`'s CorsConfiguration, with `AllowedOrigins` from ALLOWED_ORIGINS;
- owned mode (AUTH_MODE=jwt): the JWT authorizer on every route that does not say `Authorizer:
  NONE` (health). No bearer token, a bad signature, another issuer or audience, or an expired
  token is API Gateway's 401 `{"message": "Unauthorized"}`, and no function runs. The tokens
  come from a local issuer, `POST /local-auth/token` with `{"sub": "...", "expiresIn":
  seconds}` (or an OAuth 2.0 client-credentials form, for the smoke test): HS256, signed with a
  key made for this run. It exists only here; in AWS they come from Cognito or any OpenID
  Connect issuer.

A routed request becomes the payload 2.0 event API Gateway sends (`isBase64Encoded` for a body
that is not UTF-8, the verified claims in `requestContext.authorizer.jwt.claims`) and goes to the
function through watch's Lambda invoke API; its answer is written back as API Gateway writes it.

It also keeps watch answering after any burst: cargo-lambda 1.9.2's watch deadlocks for good
once more than 100 requests wait for one function (scripts/upstream/cargo-lambda-watch-deadlock/),
so at most MAX_IN_FLIGHT invocations reach it at once. A slot is released only once watch has
answered, even if the client went away (the invocation stays queued in watch until a function
takes it), and there is no timeout towards watch (the first request after a change waits for a
build). A request that waits QUEUE_TIMEOUT for a slot gets 503 with Retry-After and never
reaches watch.

And it keeps every function on the code as it is now. Under watch, each function instance
watches the workspace itself, and on a machine's default inotify limits the instances past the
thirtieth or so watch nothing: they kept answering with the old code after an edit, for good.
So watch runs with an empty directory as its base and this restarts it instead: before a request
goes to a function, if anything cargo builds the functions from (Cargo.toml, Cargo.lock,
shared/Cargo.toml, shared/src/, functions/) changed since watch started, it waits for the requests in flight, stops
watch and every function, and starts it again, so that the function is built and started anew
before it answers. A poll every second does the same between requests.

Usage: local_gateway.py LISTEN_PORT [MAX_IN_FLIGHT] -- WATCH_OPTIONS...
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote_plus

import yaml

import template_modes

ROOT = Path(__file__).resolve().parent.parent
AUDIENCE = "project-session-local"
TOKEN_PATH = "/local-auth/token"
MAX_TOKEN_SECONDS = 24 * 3600
QUEUE_TIMEOUT = 60.0
# How long a restart waits for the requests in flight to be answered.
DRAIN_TIMEOUT = 60.0
# What cargo builds the functions from: a change to any file under these restarts watch.
SOURCES = ("Cargo.toml", "Cargo.lock", "shared/Cargo.toml", "shared/src", "functions")
# Per connection and hop by hop (RFC 9110 7.6.1), or recomputed here.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
    "upgrade", "content-length", "host",
}
JSON = [("Content-Type", "application/json")]


# --- template.yaml ------------------------------------------------------------------------------

class _TemplateLoader(yaml.SafeLoader):
    """CloudFormation's short forms (`!Ref X`, `!If [...]`) as their long ones, as cfn-lint reads them."""


def _short_form(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def load_template(path: Path) -> dict:
    with open(path) as f:
        return yaml.load(f, Loader=_TemplateLoader)


@dataclass
class Route:
    method: str
    path: str
    function: str
    # No authorizer on this route, even in owned mode (`Authorizer: NONE`).
    open: bool
    # The path with a named group per `{parameter}`.
    pattern: re.Pattern


@dataclass
class Api:
    routes: list
    allow_origins: list
    allow_methods: list
    allow_headers: list
    expose_headers: list
    max_age: int
    authorizer: bool

    @classmethod
    def from_template(cls, path: Path, auth_mode: str, allowed_origins: list | None = None) -> "Api":
        """The API template.yaml deploys with these parameters (`AllowedOrigins` its default if
        None), the others at their defaults."""
        overrides = {"AuthMode": auth_mode}
        if allowed_origins:
            overrides["AllowedOrigins"] = ",".join(allowed_origins)
        resolved = template_modes.for_set(load_template(path), overrides)
        params = template_modes.parameter_values(resolved)
        resources = resolved["Resources"]
        (api,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::HttpApi"]
        cors = template_modes.inline_parameters(api["CorsConfiguration"], params)
        routes = []
        for resource in resources.values():
            # `for_set` keeps `Condition` only on a resource whose condition fails.
            if resource["Type"] != "AWS::Serverless::Function" or "Condition" in resource:
                continue
            function = resource["Metadata"]["BuildProperties"]["Binary"]
            for ev in resource["Properties"].get("Events", {}).values():
                if ev["Type"] != "HttpApi":
                    continue
                props = ev["Properties"]
                pattern = re.compile(
                    "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(props["Path"])) + "$"
                )
                is_open = props.get("Auth", {}).get("Authorizer") == "NONE"
                routes.append(Route(props["Method"].upper(), props["Path"], function, is_open, pattern))
        return cls(
            routes=routes,
            allow_origins=list(cors.get("AllowOrigins", [])),
            allow_methods=list(cors.get("AllowMethods", [])),
            allow_headers=list(cors.get("AllowHeaders", [])),
            expose_headers=list(cors.get("ExposeHeaders", [])),
            max_age=int(cors.get("MaxAge", 0)),
            authorizer="DefaultAuthorizer" in (api.get("Auth") or {}),
        )

    def find(self, method: str, path: str):
        """(route, path parameters), or None: API Gateway's 404."""
        for route in self.routes:
            match = route.pattern.match(path)
            if match and route.method == method:
                return route, match.groupdict()
        return None

    def origin_allowed(self, origin: str | None) -> bool:
        if not origin:
            return False
        for allowed in self.allow_origins:
            if allowed == "*" or allowed == origin:
                return True
            # API Gateway's `https://*` and `http://*`: any origin of that scheme.
            if allowed.endswith("://*") and origin.startswith(allowed[:-1]):
                return True
        return False

    def cors(self, origin: str | None) -> list:
        """The headers API Gateway adds to an answer (it drops any a function sets)."""
        if not self.origin_allowed(origin):
            return []
        allow = "*" if "*" in self.allow_origins else origin
        headers = [("Access-Control-Allow-Origin", allow)]
        if self.expose_headers:
            headers.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
        return headers

    def preflight(self, origin: str | None) -> list:
        if not self.origin_allowed(origin):
            return []
        return self.cors(origin) + [
            ("Access-Control-Allow-Methods", ",".join(self.allow_methods)),
            ("Access-Control-Allow-Headers", ",".join(self.allow_headers)),
            ("Access-Control-Max-Age", str(self.max_age)),
        ]


# --- the JWT authorizer and the local issuer ----------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Issuer:
    """Signs and verifies this run's tokens."""

    def __init__(self, issuer: str, key: bytes | None = None):
        self.issuer = issuer
        self.key = key or secrets.token_bytes(32)

    def token(self, sub: str, expires_in: int) -> str:
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {"sub": sub, "iss": self.issuer, "aud": AUDIENCE, "iat": now, "exp": now + expires_in}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        signature = hmac.new(self.key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    def verify(self, authorization: str | None) -> dict | None:
        """The token's claims if API Gateway's JWT authorizer would accept it, else None."""
        # API Gateway takes the token with or without its "Bearer " scheme.
        match = re.fullmatch(r"(?:Bearer )?([\w-]+)\.([\w-]+)\.([\w-]+)", (authorization or "").strip())
        if not match:
            return None
        head, body, signature = match.groups()
        try:
            header = json.loads(unb64url(head))
            claims = json.loads(unb64url(body))
            given = unb64url(signature)
        except (ValueError, UnicodeDecodeError):
            return None
        expected = hmac.new(self.key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        if header.get("alg") != "HS256" or not hmac.compare_digest(given, expected):
            return None
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if claims.get("iss") != self.issuer or AUDIENCE not in audiences:
            return None
        exp, nbf = claims.get("exp"), claims.get("nbf", 0)
        if not isinstance(exp, (int, float)) or exp <= time.time():
            return None
        if not isinstance(nbf, (int, float)) or nbf > time.time():
            return None
        if claims.get("sub") in (None, ""):
            return None
        return claims


def token_request(issuer: Issuer, body: bytes, authorization: str | None = None) -> tuple[int, dict]:
    """A token for `{"sub": ..., "expiresIn": ...}`, or, as an OAuth 2.0 token endpoint answers
    a client-credentials grant (scripts/smoke.sh), one whose `sub` is the client's id (from
    HTTP Basic). The secret is not checked: this issuer exists only locally."""
    if body.startswith(b"grant_type="):
        form = dict(pair.split("=", 1) for pair in body.decode(errors="replace").split("&") if "=" in pair)
        scheme, _, credentials = (authorization or "").partition(" ")
        try:
            client = base64.b64decode(credentials, validate=True).decode().split(":", 1)[0]
        except ValueError:
            client = ""
        if form.get("grant_type") != "client_credentials" or scheme.lower() != "basic" or not client:
            return 400, {"error": "invalid_request"}
        return 200, {"access_token": issuer.token(client, 3600), "token_type": "Bearer", "expires_in": 3600}
    try:
        asked = json.loads(body or b"{}")
        sub = asked["sub"]
        expires_in = int(asked.get("expiresIn", 3600))
    except (ValueError, KeyError, TypeError):
        return 400, {"error": 'POST {"sub": "<who>", "expiresIn": <seconds>}'}
    if not isinstance(sub, str) or not sub or len(sub) > 255 or not 1 <= expires_in <= MAX_TOKEN_SECONDS:
        return 400, {"error": "sub: 1 to 255 characters; expiresIn: 1 s to a day"}
    return 200, {"access_token": issuer.token(sub, expires_in), "token_type": "Bearer", "expires_in": expires_in}


# --- payload 2.0 --------------------------------------------------------------------------------

def claim_text(value) -> str:
    """A claim as API Gateway passes it: a string; a list as `[a b]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_text(v) for v in value) + "]"
    return str(value)


def event(method, path, query, headers, body: bytes, template, params, claims, source_ip):
    """The API Gateway HTTP API (payload 2.0) event for a routed request. `headers` is a list of
    (name, value): repeated ones are joined with commas, as there."""
    now = datetime.now(timezone.utc)
    lower = {}
    for name, value in headers:
        name = name.lower()
        lower[name] = f"{lower[name]},{value}" if name in lower else value
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    route_key = f"{method} {template}"
    query_params = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        # Repeated keys are joined with commas, as API Gateway's 2.0 payload does.
        query_params[key] = f"{query_params[key]},{value}" if key in query_params else value
    ev = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": lower,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": lower.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lower.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if claims is not None:
        # API Gateway passes every claim as a string.
        claims = {k: claim_text(v) for k, v in claims.items()}
        ev["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if body:
        ev["body"] = text
    if query_params:
        ev["queryStringParameters"] = query_params
    if params:
        ev["pathParameters"] = params
    if "cookie" in lower:
        ev["cookies"] = [c.strip() for c in lower["cookie"].split(";")]
    return ev


def response(payload: bytes) -> tuple[int, list, bytes]:
    """A function's payload 2.0 response as HTTP, as API Gateway writes it."""
    answer = json.loads(payload)
    headers = list((answer.get("headers") or {}).items())
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        if not any(h.lower() == name.lower() for h, _ in headers):
            headers.extend((name, v) for v in values)
    for cookie in answer.get("cookies") or []:
        headers.append(("Set-Cookie", cookie))
    body = answer.get("body") or ""
    data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    # API Gateway drops a function's CORS headers and sets its own.
    headers = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
    return int(answer.get("statusCode", 200)), headers, data


# --- cargo lambda watch, on the code as it is now ----------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fingerprint() -> tuple:
    """Every file the functions are built from (Rust and Cargo's; not an editor's swap files),
    with its size and modification time."""
    stamp = []
    for source in SOURCES:
        top = ROOT / source
        try:
            paths = [top] if top.is_file() else sorted(top.rglob("*"))
        except FileNotFoundError:
            paths = []  # a directory removed while we looked: the next look sees it gone
        for path in paths:
            if path.suffix not in (".rs", ".toml") and path.name != "Cargo.lock":
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            if path.is_file():
                stamp.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class Watch:
    """`cargo lambda watch OPTIONS`, started again whenever `fingerprint()` changes."""

    def __init__(self, options: list, base: Path):
        self.options = options
        self.base = base
        self.changed = threading.Condition()
        self.in_flight = 0
        self.restarting = False
        self.process = None
        self.port = 0
        self.stamp = None

    def acquire(self) -> int:
        """watch's port, once it runs the code as it is now; `release()` when answered."""
        with self.changed:
            self.changed.wait_for(lambda: not self.restarting)
            stamp = fingerprint()
            running = self.process is not None and self.process.poll() is None
            if stamp == self.stamp and running:
                self.in_flight += 1
                return self.port
            self.restarting = True
            # An invocation watch lost is never answered: past this, its request gets a 502.
            self.changed.wait_for(lambda: self.in_flight == 0, timeout=DRAIN_TIMEOUT)
        try:
            self.restart(stamp)
        except BaseException:
            with self.changed:
                self.restarting = False
                self.changed.notify_all()
            raise
        # Started or not (then this request gets a 502, and the next one tries again).
        with self.changed:
            self.restarting = False
            self.in_flight += 1
            self.changed.notify_all()
            return self.port

    def release(self) -> None:
        with self.changed:
            self.in_flight -= 1
            self.changed.notify_all()

    def restart(self, stamp: tuple) -> None:
        if self.process is not None:
            print("local_gateway: the functions' code changed: starting them again", file=sys.stderr)
            self.stop()
        self.port = free_port()
        self.process = subprocess.Popen(
            ["cargo", "lambda", "watch", "--manifest-path", str(ROOT / "Cargo.toml"),
             "--invoke-address", "127.0.0.1", "--invoke-port", str(self.port), *self.options],
            cwd=self.base, stdin=subprocess.DEVNULL,
        )
        self.stamp = stamp
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        print(f"local_gateway: cargo lambda watch did not start (exit {self.process.poll()})", file=sys.stderr)

    def stop(self) -> None:
        """watch's own Ctrl-C path, which stops every function it started."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def poll_forever(self) -> None:
        """Starts the functions again soon after an edit, not only at the next request."""
        while True:
            time.sleep(1)
            if fingerprint() == self.stamp:
                continue
            try:
                self.acquire()
                self.release()
            except Exception as error:  # noqa: BLE001 - the next second tries again
                print(f"local_gateway: could not start cargo lambda watch: {error}", file=sys.stderr)


# --- the server ---------------------------------------------------------------------------------

def handler(api: Api, issuer: Issuer | None, watch: Watch, slots: threading.BoundedSemaphore):
    class Gateway(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # A client that stops sending (or an idle keep-alive connection) is let go.
        timeout = 120

        def serve(self) -> None:
            body = self.read_body()
            path, _, query = self.path.partition("?")
            origin = self.headers.get("Origin")
            if self.command == "OPTIONS" and origin and self.headers.get("Access-Control-Request-Method"):
                # API Gateway answers a preflight itself, for any path.
                return self.send(204, api.preflight(origin), b"")
            if issuer is not None and path == TOKEN_PATH and self.command == "POST":
                status, answer = token_request(issuer, body, self.headers.get("Authorization"))
                return self.send(status, api.cors(origin) + JSON, json.dumps(answer).encode())
            found = api.find(self.command, path)
            if found is None:
                return self.send(404, api.cors(origin) + JSON, b'{"message":"Not Found"}')
            route, params = found
            claims = None
            if api.authorizer and not route.open:
                claims = issuer.verify(self.headers.get("Authorization"))
                if claims is None:
                    headers = api.cors(origin) + JSON + [("WWW-Authenticate", "Bearer")]
                    return self.send(401, headers, b'{"message":"Unauthorized"}')
            ev = event(
                self.command, path, query, list(self.headers.items()), body, route.path, params, claims,
                self.client_address[0],
            )
            if not slots.acquire(timeout=QUEUE_TIMEOUT):
                return self.own_error(503, "The local API is busy, try again shortly", retry_after="1")
            try:
                port = watch.acquire()
            except Exception as error:  # noqa: BLE001 - answered, and the slot freed
                slots.release()
                return self.own_error(502, f"cargo lambda watch could not start: {error}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port)
                conn.request(
                    "POST", f"/2015-03-31/functions/{route.function}/invocations", json.dumps(ev).encode(),
                    {"Content-Type": "application/json"},
                )
                answer = conn.getresponse()
                status, failed, data = answer.status, answer.getheader("X-Amz-Function-Error"), answer.read()
                conn.close()
            except (OSError, http.client.HTTPException) as error:
                return self.own_error(502, f"cargo lambda watch did not answer: {error}")
            finally:
                watch.release()
                slots.release()
            try:
                if status != 200 or failed:
                    raise ValueError(f"{status} {failed or ''}")
                status, headers, data = response(data)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                # What API Gateway answers when the function failed or its answer is not one.
                print(f"local_gateway: {route.function} failed ({error}): {data[:500]!r}", file=sys.stderr)
                return self.send(500, api.cors(origin) + JSON, b'{"message":"Internal Server Error"}')
            headers = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
            self.send(status, headers + api.cors(origin), data)

        def read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def own_error(self, status: int, message: str, retry_after: str | None = None) -> None:
            headers = JSON + api.cors(self.headers.get("Origin"))
            if retry_after:
                headers.append(("Retry-After", retry_after))
            # Marked as this gateway's own, so that scripts/warm.py never takes it for a function's.
            headers.append(("X-Local-Gateway", "1"))
            self.send(status, headers, json.dumps({"error": message}).encode())

        def send(self, status: int, headers: list, data: bytes) -> None:
            try:
                self.send_response_only(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            except OSError:
                pass  # the client went away; watch has answered, so the slot is free

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = serve

        def log_message(self, *args) -> None:
            pass

    return Gateway


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


class Server6(Server):
    address_family = socket.AF_INET6


def api_from_environment() -> Api:
    """AUTH_MODE (none) and ALLOWED_ORIGINS (comma-separated; the template's default if unset)."""
    origins = [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    return Api.from_template(ROOT / "template.yaml", os.environ.get("AUTH_MODE", "none"), origins)


def main() -> None:
    args = sys.argv[1:]
    at = args.index("--") if "--" in args else len(args)
    listen = int(args[0])
    # Well under watch's 100 per function, counted over all functions.
    limit = int(args[1]) if at > 1 else 64
    api = api_from_environment()
    issuer = Issuer(f"http://localhost:{listen}/local-auth") if api.authorizer else None
    base = ROOT / ".local" / "watch-base"
    base.mkdir(parents=True, exist_ok=True)
    watch = Watch(args[at + 1:], base)
    # dev.sh's Ctrl-C (SIGINT) or its clean-up (SIGTERM) stops watch and every function first.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (watch.stop(), os._exit(0)))
    watch.acquire()
    watch.release()
    gateway = handler(api, issuer, watch, threading.BoundedSemaphore(limit))
    threading.Thread(target=watch.poll_forever, daemon=True).start()
    # Both loopbacks, as "localhost" may be either; IPv6 only where the machine has it.
    try:
        v6 = Server6(("::1", listen), gateway)
        threading.Thread(target=v6.serve_forever, daemon=True).start()
    except OSError:
        pass
    Server(("127.0.0.1", listen), gateway).serve_forever()


if __name__ == "__main__":
    main()
