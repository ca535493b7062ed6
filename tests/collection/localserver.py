"""Real HTTP servers on 127.0.0.1 for the collection tests, plus a fake clock for time-based behaviour."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yuqing.collection.fetching import FetchOptions


@dataclass
class Reply:
    """What the test server sends back for one request."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    chunks: int = 1  # send the body in this many pieces, flushing between them
    chunk_delay: float = 0.0
    omit_length: bool = False


Handler = Callable[["Request"], Reply]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes = b""


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering from a route table; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[Request] = []
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length) if length else b"")
                server.requests.append(request)
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    reply = Reply(b"not found", status=404)
                else:
                    reply = route(request) if callable(route) else route
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if not reply.omit_length:
                        self.send_header("Content-Length", str(len(body)))
                    else:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.status in (204, 304) or not body:
                        return
                    size = max(1, len(body) // reply.chunks)
                    for start in range(0, len(body), size):
                        self.wfile.write(body[start : start + size])
                        self.wfile.flush()
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                    if reply.omit_length:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET  # the request's body is recorded either way

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that time out on purpose reset their connections; that is not news

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeClock:
    """Monotonic clock whose sleep only advances time, and which remembers every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# Test servers are on 127.0.0.1, so tests must use the administrator's permission to reach private networks.
LOCAL = FetchOptions(allow_private=True, timeout=2.0, retries=0)
