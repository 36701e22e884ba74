"""Owned mode (AUTH_MODE=jwt) under `scripts/dev.sh`: what API Gateway and its JWT authorizer do
in AWS, for `cargo lambda watch`, which passes no authorizer claims (1.9.2 always sets
`requestContext.authorizer` to null).

- A local token issuer, `POST /local-auth/token` with `{"sub": "...", "expiresIn": seconds}`
  (or an OAuth 2.0 client-credentials form, for the smoke test): an HS256 JWT signed with a key
  made for this run. It exists only here; in AWS the tokens
  come from Cognito or any OpenID Connect issuer.
- A verifier in front of every route but /health and OPTIONS: no bearer token, a bad signature,
  another issuer or audience, or an expired token is API Gateway's 401 `{"message":
  "Unauthorized"}`, and no function runs.
- A verified request is routed as template.yaml's routes are (Cargo.toml's router, the same
  table), turned into the API Gateway v2 event with `requestContext.authorizer.jwt.claims` as
  API Gateway fills them, and sent to the function through watch's Lambda invoke API. The
  function reads the caller from those claims alone, exactly as in AWS.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import tomllib
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote_plus

AUDIENCE = "project-session-local"
TOKEN_PATH = "/local-auth/token"
OPEN_PATHS = {"/health"}
MAX_TOKEN_SECONDS = 24 * 3600


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


class Routes:
    """Cargo.toml's `[workspace.metadata.lambda.watch.router]`: the routes template.yaml declares."""

    def __init__(self, cargo_toml: Path):
        with open(cargo_toml, "rb") as f:
            router = tomllib.load(f)["workspace"]["metadata"]["lambda"]["watch"]["router"]
        self.routes = []
        for template, methods in router.items():
            names = re.findall(r"\{(\w+)\}", template)
            pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template)) + "$")
            for route in methods:
                self.routes.append((route["method"], template, pattern, names, route["function"]))

    def find(self, method: str, path: str):
        """(function, route template, path parameters), or None."""
        for route_method, template, pattern, names, function in self.routes:
            match = pattern.match(path)
            if match and route_method == method:
                return function, template, dict(zip(names, match.groups()))
        return None


def claim_text(value) -> str:
    """A claim as API Gateway passes it: a string; a list as `[a b]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_text(v) for v in value) + "]"
    return str(value)


def event(method, path, query, headers, body: bytes, template, params, claims, source_ip):
    """The API Gateway HTTP API (payload 2.0) event for a request its JWT authorizer passed.
    `headers` is a list of (name, value): repeated ones are joined with commas, as there."""
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
    return int(answer.get("statusCode", 200)), headers, data


def cors(origin: str | None) -> list:
    """What the stack's CorsConfiguration sends in owned mode (any origin here)."""
    return [
        ("Access-Control-Allow-Origin", origin or "*"),
        ("Access-Control-Expose-Headers", "ETag, Retry-After"),
        ("Vary", "Origin"),
    ]


def preflight(origin: str | None) -> list:
    return cors(origin) + [
        ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
        ("Access-Control-Allow-Headers", "Content-Type, If-Match, Idempotency-Key, Authorization"),
        ("Access-Control-Max-Age", "600"),
    ]


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
