"""A misbehaving HTTP server on 127.0.0.1 for tests: every route is one way the web goes wrong.

Routes are plain functions `(Request) -> None` that write raw bytes to the socket, so they can
lie about lengths, drip, stall, reset or cut off. Threads are daemons and stalls wait on an event
that `stop()` sets, so the server always shuts down promptly.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    handler: BaseHTTPRequestHandler
    server: FaultServer

    def write(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def respond(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                *, content_type: str | None = "application/rss+xml; charset=utf-8",
                reason: str = "") -> None:
        lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
        merged = {"Content-Length": str(len(body)), "Connection": "close"}
        if content_type:
            merged["Content-Type"] = content_type
        merged.update(headers or {})
        lines += [f"{k}: {v}" for k, v in merged.items()]
        self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def reset(self) -> None:
        """Close with RST instead of FIN (SO_LINGER 0)."""
        sock = self.handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False when it is."""
        return not self.server.stopping.wait(seconds)


Route = Callable[[Request], None]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
            308: "Permanent Redirect", 404: "Not Found", 410: "Gone", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class FaultServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None

    def start(self) -> FaultServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.seen.append((self.path, headers))
                route = outer.routes.get(path)
                request = Request(self.path, headers, self, outer)
                self.close_connection = True
                try:
                    if route is None:
                        request.respond(404, b"no such route", content_type="text/plain")
                    else:
                        route(request)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up, as it should

            def log_message(self, format: str, *args: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.seen if p.split("?", 1)[0] == path]

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


def drip(request: Request, data: bytes, every: float) -> None:
    for i in range(len(data)):
        request.write(data[i:i + 1])
        if not request.wait(every):
            return


