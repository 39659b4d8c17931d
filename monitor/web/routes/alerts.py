"""Alerts: the outbox by state and channel, failed ones with their last error; retry and send now.
As pages and as `/api/v1/alerts`; changes go through `storage.outbox` as `monitor alerts retry` does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.models import Alert
from monitor.storage import outbox
from monitor.storage.outbox import alert_to_json
from monitor.storage.outbox_view import AlertFilter, AlertPage, alert_counts, alerts_by_id, browse_alerts
from monitor.web.context import ConsoleContext
from monitor.web.gate import api_refusal, field, form_action
from monitor.web.paging import page_count, page_number, per_page
from monitor.web.views import Notice, console, is_htmx, views

STATES = ("pending", "sending", "sent", "failed")
ACTIONS = ("retry", "send-now")


@dataclass(frozen=True)
class Outbox:
    found: AlertPage
    counts: dict[tuple[str, str], int]
    page: int
    per_page: int
    chosen: dict[str, str]

    @property
    def channels(self) -> list[str]:
        return sorted({channel for _, channel in self.counts})

    def count(self, state: str, channel: str | None = None) -> int:
        return sum(n for (s, c), n in self.counts.items() if s == state and channel in (None, c))

    @property
    def pages(self) -> int:
        return page_count(self.found.total, self.per_page)

    def link(self, page: int) -> str:
        return "/alerts?" + urlencode({**self.chosen, "page": page})


def chosen_filters(request: Request) -> dict[str, str]:
    return {k: v for k in ("state", "channel") if (v := request.query_params.get(k, "").strip())}


def load_outbox(context: ConsoleContext, chosen: dict[str, str], page: int, size: int) -> Outbox:
    where = AlertFilter(states=(chosen["state"],) if "state" in chosen else (),
                        channels=(chosen["channel"],) if "channel" in chosen else ())
    with context.engine.connect() as conn:
        found = browse_alerts(conn, where, offset=(page - 1) * size, limit=size)
        counts = alert_counts(conn)
    return Outbox(found, counts, page, size, chosen)


def change_alert(context: ConsoleContext, action: str, alert_id: int) -> tuple[Notice, Alert | None]:
    """Retry a failed alert or send a pending one now; the notice says what happened and why not."""
    now = context.clock.now()
    with context.engine.begin() as conn:
        rows = alerts_by_id(conn, [alert_id])
        if not rows:
            return Notice(f"no alert with id {alert_id}", ok=False), None
        changed = (outbox.retry(conn, [alert_id], now) if action == "retry"
                   else outbox.send_now(conn, [alert_id], now))
        row = alerts_by_id(conn, [alert_id])[0]
    if changed:
        done = "queued again with fresh attempts" if action == "retry" else "due now"
        return Notice(f"alert {alert_id} {done}; the next delivery run sends it"), row
    needs = "failed" if action == "retry" else "pending"
    return Notice(f"alert {alert_id} is {rows[0].state}, not {needs}: nothing to do", ok=False), row


async def alerts_page(request: Request) -> Response:
    context = console(request)
    found = await run_in_threadpool(load_outbox, context, chosen_filters(request), page_number(request),
                                    per_page(request, context.settings.web.page_size))
    template = "_alert_list.html.j2" if is_htmx(request) else "alerts.html.j2"
    return views(request).render(request, template, {"outbox": found, "states": STATES, "notice": None})


async def alert_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ACTIONS:
        return views(request).render(request, "missing.html.j2", {"what": f"alert action {action!r}"},
                                     status=404)
    form = await form_action(request)
    if isinstance(form, Response):
        return form
    raw = field(form, "id")
    context = console(request)
    notice, row = await run_in_threadpool(change_alert, context, action, int(raw) if raw.isdigit() else 0)
    if is_htmx(request) and row is not None:
        return views(request).render(request, "_alert_row.html.j2", {"alert": row, "row_notice": notice})
    found = await run_in_threadpool(load_outbox, context, {}, 1, context.settings.web.page_size)
    return views(request).render(request, "alerts.html.j2",
                                 {"outbox": found, "states": STATES, "notice": notice},
                                 status=200 if row is not None else 404)


async def api_alerts(request: Request) -> Response:
    context = console(request)
    page = page_number(request)
    found = await run_in_threadpool(load_outbox, context, chosen_filters(request), page,
                                    per_page(request, context.settings.web.page_size))
    body: dict[str, Any] = {
        "alerts": [alert_to_json(row) for row in found.found.rows], "total": found.found.total,
        "page": page, "per_page": found.per_page,
        "counts": [{"state": s, "channel": c, "count": n} for (s, c), n in sorted(found.counts.items())],
    }
    return JSONResponse(body)


async def api_alert_action(request: Request) -> Response:
    if (refusal := api_refusal(request)) is not None:
        return refusal
    action = request.path_params["action"]
    if action not in ACTIONS:
        return JSONResponse({"error": f"no alert action {action!r} (known: {', '.join(ACTIONS)})"},
                            status_code=404)
    notice, row = await run_in_threadpool(change_alert, console(request), action,
                                          int(request.path_params["alert_id"]))
    if row is None:
        return JSONResponse({"error": notice.text}, status_code=404)
    return JSONResponse({"ok": notice.ok, "message": notice.text, "alert": alert_to_json(row)},
                        status_code=200 if notice.ok else 409)


routes = [
    Route("/alerts", alerts_page, methods=["GET"], name="alerts"),
    Route("/alerts/{action:str}", alert_action, methods=["POST"]),
    Route("/api/v1/alerts", api_alerts, methods=["GET"]),
    Route("/api/v1/alerts/{alert_id:int}/{action:str}", api_alert_action, methods=["POST"]),
]
