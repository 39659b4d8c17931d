"""The console as one ASGI app: pages, the JSON API under /api/v1, /healthz, /metrics, static assets."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from monitor.errors import MonitorError
from monitor.service.health import HealthProbe
from monitor.web.context import ConsoleContext
from monitor.web.guard import Guard
from monitor.web.routes import alerts, feeds, service, session, stories, watchlists
from monitor.web.tester import Tester
from monitor.web.views import Views

STATIC = Path(__file__).parent / "static"


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": f"no such endpoint: {request.method} {request.url.path}"},
                            status_code=404)
    return PlainTextResponse("not found: try / (stories), /feeds, /alerts, /watchlists, /healthz, /metrics\n",
                             status_code=404)


async def failed(request: Request, exc: Exception) -> Response:
    """A database or other failure the user can do nothing about here: said in words, no traceback."""
    message = str(exc) if isinstance(exc, MonitorError) else "internal error (see the daemon's log)"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=503)
    return PlainTextResponse(f"{message}\n", status_code=503)


def build_console(context: ConsoleContext, probe: HealthProbe) -> Starlette:
    context.metrics.watch_database(context.engine)
    app = Starlette(
        routes=[*service.routes, *session.routes, *stories.routes, *feeds.routes, *alerts.routes,
                *watchlists.routes, Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[Middleware(Guard, settings=context.settings.web)],
        exception_handlers={404: not_found, MonitorError: failed},
    )
    app.state.console = context
    app.state.views = Views(context)
    app.state.tester = Tester(context)
    app.state.probe = probe
    return app
