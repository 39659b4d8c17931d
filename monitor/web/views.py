"""Rendering: one Jinja2 environment (autoescaped: every title and text from a feed is hostile input)
and the values every template gets (who is signed in, the CSRF token, now and the time zone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.web import display
from monitor.web.auth import csrf_token, session_id
from monitor.web.context import ConsoleContext
from monitor.web.tester import outlet_of


@dataclass(frozen=True)
class Notice:
    """What an action did (or why it did nothing), shown above what it changed."""

    text: str
    ok: bool = True


class Views:
    def __init__(self, context: ConsoleContext) -> None:
        self.context = context
        self.env = Environment(loader=PackageLoader("monitor.web", "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(
            relative=display.relative, local_time=display.local_time, offset=display.offset,
            duration=display.duration, text_direction=display.text_direction,
            language_name=display.language_name, dom_id=display.dom_id, outlet_of=outlet_of,
            http_url=display.http_url,
        )

    def common(self, request: Request) -> dict[str, Any]:
        web = self.context.settings.web
        return {
            "request": request, "path": request.url.path, "now": self.context.clock.now(),
            "zone": web.zone, "zone_name": web.timezone, "can_change": web.token is not None,
            "signed_in": session_id(request, web) is not None, "csrf": csrf_token(request, web),
        }

    def render(self, request: Request, template: str, values: Mapping[str, Any], *, status: int = 200,
               headers: Mapping[str, str] | None = None) -> HTMLResponse:
        html = self.env.get_template(template).render({**self.common(request), **values})
        # Vary: the same URL answers a whole page or, to htmx, only its part.
        return HTMLResponse(html, status_code=status, headers={"Vary": "HX-Request", **(headers or {})})


def is_htmx(request: Request) -> bool:
    """A partial update asked for by htmx (the page is already there; send only the part).

    A history restore (back button, nothing cached) wants the whole page.
    """
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def views(request: Request) -> Views:
    found: Views = request.app.state.views
    return found


def console(request: Request) -> ConsoleContext:
    found: ConsoleContext = request.app.state.console
    return found
