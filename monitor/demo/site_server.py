"""A real HTTP server on loopback serving feeds and pages from memory.

It answers conditional GETs (ETag and Last-Modified) like a well-behaved site, logs every request
so tests can see what was fetched, and can be told to stall a path (a feed that times out).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threaded server that many clients hit at once: the default accept queue of 5 drops
    connections under load, and the clients then report connect timeouts that no real site gives."""

    request_queue_size = 128
    daemon_threads = True


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


@dataclass(frozen=True)
class Request:
    path: str
    status: int
    conditional: bool


class SiteServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._resources: dict[str, Resource] = {}
        self._stalls: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._server = LoopbackHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def put(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        with self._lock:
            old = self._resources.get(path)
            if old and old.etag == etag:
                return
            self._resources[path] = Resource(data, content_type, etag, formatdate(time.time(), usegmt=True))

    def stall(self, path: str, seconds: float) -> None:
        self._stalls[path] = seconds

    def requested(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path in server._stalls:
                    time.sleep(server._stalls[path])
                with server._lock:
                    resource = server._resources.get(path)
                conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
                if resource is None:
                    self._answer(path, 404, b"not found", "text/plain", conditional)
                elif self.headers.get("If-None-Match") == resource.etag or (
                    not self.headers.get("If-None-Match")
                    and self.headers.get("If-Modified-Since") == resource.last_modified
                ):
                    self._answer(path, 304, b"", None, conditional, resource)
                else:
                    self._answer(path, 200, resource.body, resource.content_type, conditional, resource)

            def _answer(self, path: str, status: int, body: bytes, content_type: str | None,
                        conditional: bool, resource: Resource | None = None) -> None:
                with server._lock:
                    server.requests.append(Request(path, status, conditional))
                self.send_response(status)
                if resource is not None:
                    self.send_header("ETag", resource.etag)
                    self.send_header("Last-Modified", resource.last_modified)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the request log above is what tests and the demo read

        return Handler
