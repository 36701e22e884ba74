"""A reverse proxy in front of `cargo lambda watch` that keeps it answering after any burst.

cargo-lambda 1.9.2's watch deadlocks for good once more than 100 requests wait for one function
(scripts/upstream/cargo-lambda-watch-deadlock/ has the cause and a reproduction). This proxy lets
at most MAX_IN_FLIGHT requests reach watch at once, so that no function's queue can fill.

Usage: watch-guard.py LISTEN_PORT UPSTREAM_PORT [MAX_IN_FLIGHT]

With AUTH_MODE=jwt it is also API Gateway's JWT authorizer and a local token issuer
(scripts/local_gateway.py): requests go to the functions through watch's invoke API, with the
verified claims in the event.

- A slot is released only once watch has answered, even if the client went away: a request
  that reached watch stays in its queue until a function takes it.
- No timeout towards watch, for the same reason (the first request after a change waits for
  a build).
- A request that waits QUEUE_TIMEOUT for a slot gets 503 with Retry-After, as a throttled API
  Gateway answers 429/503, and never reaches watch.
"""

import http.client
import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import local_gateway

# Per connection and hop by hop (RFC 9110 7.6.1), or recomputed here.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
    "upgrade", "content-length", "host",
}
QUEUE_TIMEOUT = 60.0


def handler(upstream_port: int, slots: threading.BoundedSemaphore, gateway=None):
    class Guard(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def proxy(self) -> None:
            body = self.read_body()
            if gateway is not None:
                return self.owned(body)
            if not slots.acquire(timeout=QUEUE_TIMEOUT):
                return self.error(503, "The local API is busy, try again shortly", retry_after="1")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        conn.putheader(name, value)
                conn.putheader("Host", self.headers.get("Host", f"127.0.0.1:{upstream_port}"))
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                status, headers, data = response.status, response.getheaders(), response.read()
                conn.close()
            except OSError as error:
                return self.error(502, f"cargo lambda watch did not answer: {error}")
            finally:
                slots.release()
            self.send(status, [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP], data)

        def owned(self, body: bytes) -> None:
            issuer, routes = gateway
            path, _, query = self.path.partition("?")
            origin = self.headers.get("Origin")
            json_type = [("Content-Type", "application/json")]
            if self.command == "OPTIONS":
                return self.send(204, local_gateway.preflight(origin), b"")
            if path == local_gateway.TOKEN_PATH and self.command == "POST":
                status, answer = local_gateway.token_request(issuer, body, self.headers.get("Authorization"))
                return self.send(status, local_gateway.cors(origin) + json_type, json.dumps(answer).encode())
            found = routes.find(self.command, path)
            if found is None:
                return self.send(404, local_gateway.cors(origin) + json_type, b'{"message":"Not Found"}')
            function, template, params = found
            claims = None
            if path not in local_gateway.OPEN_PATHS:
                claims = issuer.verify(self.headers.get("Authorization"))
                if claims is None:
                    headers = local_gateway.cors(origin) + json_type + [("WWW-Authenticate", "Bearer")]
                    return self.send(401, headers, b'{"message":"Unauthorized"}')
            ev = local_gateway.event(
                self.command, path, query, list(self.headers.items()), body, template, params, claims,
                self.client_address[0],
            )
            if not slots.acquire(timeout=QUEUE_TIMEOUT):
                return self.error(503, "The local API is busy, try again shortly", retry_after="1")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port)
                payload = json.dumps(ev).encode()
                conn.request(
                    "POST", f"/2015-03-31/functions/{function}/invocations", payload,
                    {"Content-Type": "application/json"},
                )
                answer = conn.getresponse()
                status, data = answer.status, answer.read()
                conn.close()
            except OSError as error:
                return self.error(502, f"cargo lambda watch did not answer: {error}")
            finally:
                slots.release()
            if status != 200:
                return self.error(502, f"the function {function} failed ({status}): {data[:200]!r}")
            status, headers, data = local_gateway.response(data)
            headers = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
            self.send(status, headers + local_gateway.cors(origin), data)

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

        def error(self, status: int, message: str, retry_after: str | None = None) -> None:
            headers = [("Content-Type", "application/json"), ("Access-Control-Allow-Origin", "*")]
            if retry_after:
                headers.append(("Retry-After", retry_after))
            # Marked as the guard's own, so that scripts/warm.py never takes it for a function's.
            headers.append(("X-Watch-Guard", "1"))
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

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = proxy

        def log_message(self, *args) -> None:
            pass

    return Guard


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


class Server6(Server):
    address_family = socket.AF_INET6


def main() -> None:
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    # Well under watch's 100 per function, counted over all functions.
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    gateway = None
    if os.environ.get("AUTH_MODE") == "jwt":
        root = Path(__file__).resolve().parent.parent
        issuer = local_gateway.Issuer(f"http://localhost:{listen}/local-auth")
        gateway = (issuer, local_gateway.Routes(root / "Cargo.toml"))
    guard = handler(upstream, threading.BoundedSemaphore(limit), gateway)
    # Both loopbacks, as "localhost" may be either; IPv6 only where the machine has it.
    try:
        v6 = Server6(("::1", listen), guard)
        threading.Thread(target=v6.serve_forever, daemon=True).start()
    except OSError:
        pass
    Server(("127.0.0.1", listen), guard).serve_forever()


if __name__ == "__main__":
    main()
