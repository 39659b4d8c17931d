"""One HTTP server on `[web]` host:port for the console, the JSON API, /healthz and /metrics.

    web = start_web_server(ConsoleContext.from_app(app))   # uvicorn in a background thread
    web.address                                             # ("127.0.0.1", 9464); None when disabled
    web.close()

It refuses to listen on an address other than loopback unless `[web] token` is set.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time

import uvicorn

from monitor.errors import ConfigError
from monitor.service.health import HealthProbe
from monitor.web.app import build_console
from monitor.web.context import ConsoleContext
from monitor.web.settings import WebSettings

__all__ = ["ConsoleContext", "WebServer", "serve_until_stopped", "start_web_server"]

log = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 30.0


class WebServer:
    """Handle on the running server; `address` is None when `[web] enabled = false`."""

    def __init__(self, server: uvicorn.Server | None = None, thread: threading.Thread | None = None,
                 sock: socket.socket | None = None, probe: HealthProbe | None = None) -> None:
        self._server, self._thread, self._sock, self._probe = server, thread, sock, probe
        self._address = _address(sock) if sock is not None else None

    @property
    def address(self) -> tuple[str, int] | None:
        return self._address if self._server is not None else None

    @property
    def url(self) -> str | None:
        if self.address is None:
            return None
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def close(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        if self._probe is not None:
            self._probe.close()
        self._server = None


def _address(sock: socket.socket) -> tuple[str, int]:
    host, port = sock.getsockname()[:2]
    return str(host), int(port)


def check_exposure(web: WebSettings) -> None:
    """No token, no listening beyond this machine: anyone who reaches the port could change things."""
    if not web.on_loopback and web.token is None:
        raise ConfigError(f"refusing to listen on {web.host}, which is not a loopback address, without a "
                          "token: set [web] token = \"${MONITOR_WEB_TOKEN}\" (or listen on 127.0.0.1)",
                          key="web.host")


def bind(web: WebSettings) -> socket.socket:
    family = socket.AF_INET6 if ":" in web.host else socket.AF_INET
    try:
        return socket.create_server((web.host.strip("[]"), web.port), family=family, backlog=128)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {web.host}:{web.port}: {exc.strerror or exc}",
                          key="web.port") from exc


def start_web_server(context: ConsoleContext) -> WebServer:
    """Serve the console in a background thread; raises ConfigError when it must not or cannot listen."""
    web = context.settings.web
    if not web.enabled:
        return WebServer()
    check_exposure(web)
    sock = bind(web)
    probe = HealthProbe(context.engine, context.settings.service.health_timeout_seconds)
    app = build_console(context, probe)
    # log_config=None: uvicorn must not replace the daemon's logging (JSON logs in service mode).
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False,
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    handle = WebServer(server, thread, sock, probe)
    if not server.started:
        handle.close()
        raise ConfigError(f"the web server on {web.host}:{web.port} did not start", key="web.port")
    log.info("web console listening", extra={"url": handle.url})
    return handle


def serve_until_stopped(handle: WebServer) -> None:
    """Block until SIGINT or SIGTERM (`monitor web`, `monitor demo --web`), then stop the server."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        handle.close()
