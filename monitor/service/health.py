"""A small local HTTP endpoint for service mode: `/healthz` and `/metrics` (stdlib server, one thread each).

    handle = start_web_server(settings, engine, metrics)   # settings: ServiceSettings
    ...
    handle.close()
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST

from monitor.errors import ConfigError, StorageError
from monitor.logs import redact_text
from monitor.storage.stats import ping

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitor.service.metrics import Metrics
    from monitor.service.settings import ServiceSettings

log = logging.getLogger(__name__)


class HealthProbe:
    """Asks the database `SELECT 1`, waiting at most `timeout` seconds.

    A check that hangs (a black-holed network) keeps running in the one worker thread; later
    requests report it instead of piling up more hung threads.
    """

    def __init__(self, engine: Engine, timeout: float) -> None:
        self._engine, self._timeout = engine, timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
        self._pending: Future[None] | None = None
        self._lock = threading.Lock()

    def check(self) -> str | None:
        """None when healthy, else the reason."""
        with self._lock:
            if self._pending is not None and not self._pending.done():
                return f"database check still unanswered after {self._timeout:g}s"
            self._pending = future = self._pool.submit(ping, self._engine)
        try:
            future.result(timeout=self._timeout)
        except FutureTimeout:
            return f"database did not answer within {self._timeout:g}s"
        except StorageError as exc:
            return redact_text(str(exc))
        return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow client never holds up shutdown

    def __init__(self, address: tuple[str, int], probe: HealthProbe, metrics: Metrics) -> None:
        super().__init__(address, _Handler)
        self.probe, self.metrics = probe, metrics


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "news-monitor"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            reason = self.server.probe.check()
            if reason is None:
                self._send(200, "application/json", b'{"status": "ok"}')
            else:
                log.warning("health check failed", extra={"reason": reason})
                body = json.dumps({"status": "unavailable", "reason": reason}).encode()
                self._send(503, "application/json", body)
        elif path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, self.server.metrics.render())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: try /healthz or /metrics\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http request", extra={"client": self.client_address[0], "request": format % args})


class WebServer:
    """Handle on the running endpoint; `address` is None when the settings disabled it."""

    def __init__(self, server: _Server | None = None, thread: threading.Thread | None = None) -> None:
        self._server, self._thread = server, thread

    @property
    def address(self) -> tuple[str, int] | None:
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def close(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.probe.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None


def start_web_server(settings: ServiceSettings, engine: Engine, metrics: Metrics) -> WebServer:
    """Serve /healthz and /metrics on settings.metrics_host:metrics_port in a background thread."""
    if not settings.web_enabled:
        return WebServer()
    metrics.watch_database(engine)
    probe = HealthProbe(engine, settings.health_timeout_seconds)
    try:
        server = _Server((settings.metrics_host, int(settings.metrics_port or 0)), probe, metrics)
    except OSError as exc:
        probe.close()
        raise ConfigError(f"cannot listen on {settings.metrics_host}:{settings.metrics_port}: {exc}",
                          key="service.metrics_port") from exc
    thread = threading.Thread(target=server.serve_forever, name="web", daemon=True)
    thread.start()
    log.info("health and metrics endpoint listening",
             extra={"host": settings.metrics_host, "port": server.server_address[1]})
    return WebServer(server, thread)

