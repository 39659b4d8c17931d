"""The checks every request passes before a route sees it, and the headers every answer carries.

- Host: on loopback only loopback names (and `[web] allowed_hosts`) are answered, so a page on
  another site cannot read the console through DNS rebinding.
- Origin: a request that says it comes from another origin (Origin, or Referer on a POST) is refused,
  whatever its method; so is a POST the browser marks cross-site.
- Off loopback every page and API call needs the token (signed in, or Bearer), except /healthz,
  /metrics (the scrape) and the sign-in page.
- Content-Security-Policy: scripts and styles only from the console itself, no inline script.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.web.auth import authenticated
from monitor.web.settings import WebSettings

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PATHS = ("/healthz", "/metrics", "/login", "/static/")


def _hostname(netloc: str) -> str:
    return (urlsplit(f"//{netloc}").hostname or "").lower()


class Guard:
    """ASGI middleware: refuses what must not reach a route, adds the security headers to the rest."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app, self.settings = app, settings
        self.allowed_hosts = {h.lower() for h in settings.allowed_hosts} | {settings.host.lower().strip("[]")}
        if settings.on_loopback:
            self.allowed_hosts |= LOOPBACK_NAMES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        refusal = self.refusal(HTTPConnection(scope), str(scope.get("method", "GET")))
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)

    def host_allowed(self, host_header: str) -> bool:
        if not self.settings.on_loopback and not self.settings.allowed_hosts:
            return True  # listening openly, behind the token; any name may reach it
        return _hostname(host_header) in self.allowed_hosts

    def same_origin(self, conn: HTTPConnection, url: str) -> bool:
        netloc = urlsplit(url).netloc.lower()
        return bool(netloc) and (netloc == conn.headers.get("host", "").lower()
                                 or _hostname(netloc) in {h.lower() for h in self.settings.allowed_hosts})

    def refusal(self, conn: HTTPConnection, method: str) -> Response | None:
        path = conn.url.path
        api = path.startswith("/api/")
        if not self.host_allowed(conn.headers.get("host", "")):
            return _refuse(api, 400, "unknown Host header: this console answers on its own address only")
        origin = conn.headers.get("origin")
        if origin is not None and not self.same_origin(conn, origin):
            return _refuse(api, 403, "request from another origin refused")
        if method not in SAFE_METHODS:
            referer = conn.headers.get("referer")
            cross = conn.headers.get("sec-fetch-site") in ("cross-site", "same-site")
            if cross or (origin is None and referer is not None and not self.same_origin(conn, referer)):
                return _refuse(api, 403, "request from another origin refused")
        open_to_all = self.settings.on_loopback or path.startswith(OPEN_PATHS)
        if not open_to_all and not authenticated(conn, self.settings):
            if api:
                return _refuse(api, 401, "this console needs the token: Authorization: Bearer TOKEN")
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        return None


def _refuse(api: bool, status: int, message: str) -> Response:
    if api:
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message + "\n", status_code=status)
