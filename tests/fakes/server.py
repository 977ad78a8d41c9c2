"""A small threaded HTTP server on 127.0.0.1, port 0, that records what it receives."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Received], Reply]


class FakeServer:
    """Routes are (method, path prefix) -> function of the request; every request is kept."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Route]] = []
        self.received: list[Received] = []
        self.changed = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    self.command,
                    urlsplit(self.path).path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                reply = fake.dispatch(request)
                body = (
                    reply.body
                    if isinstance(reply.body, bytes)
                    else json.dumps(reply.body if reply.body is not None else {}).encode()
                )
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle  # noqa: N815 (http.server's names)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, method: str, prefix: str, handler: Route) -> None:
        self.routes.append((method, prefix, handler))

    def dispatch(self, request: Received) -> Reply:
        for method, prefix, handler in self.routes:
            if request.method == method and request.path.startswith(prefix):
                reply = handler(request)
                break
        else:
            reply = Reply(404, {"error": "not_found"})
        with self.changed:
            self.received.append(request)
            self.changed.notify_all()
        return reply

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Blocks until predicate() is truthy (re-checked at each request); returns its value."""
        with self.changed:
            result = self.changed.wait_for(predicate, timeout)
        return result

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
