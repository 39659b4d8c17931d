"""/healthz and /metrics (Prometheus), at the root as before the console existed, and the OpenAPI
document of the JSON API."""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.service.health import HealthProbe
from monitor.web.views import console

log = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    probe: HealthProbe = request.app.state.probe
    reason = await run_in_threadpool(probe.check)
    if reason is None:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
    log.warning("health check failed", extra={"reason": reason})
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503,
                        headers={"Cache-Control": "no-store"})


async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(console(request).metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


@cache
def openapi_document() -> dict[str, Any]:
    text = (resources.files("monitor.web") / "openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
