"""Watchlists: each list's definition and recent matches, the files that did not load, and the tester;
as pages and as `/api/v1/watchlists`. Nothing here changes state (the tester only reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.storage.story_search import RecentMatch, recent_matches
from monitor.watch.model import Watchlist
from monitor.web.context import ConsoleContext
from monitor.web.tester import KINDS, Tester, TesterInput
from monitor.web.views import console, is_htmx, views

RECENT_DAYS = 7
MAX_DEFINITION_CHARS = 20_000


@dataclass(frozen=True)
class WatchlistView:
    watchlist: Watchlist
    definition: str  # the file as written
    recent: tuple[RecentMatch, ...]

    def to_json(self) -> dict[str, Any]:
        w = self.watchlist
        return {"name": w.name, "file": str(w.file) if w.file else None, "channels": list(w.channels),
                "mode": w.delivery.mode, "definition": self.definition,
                "recent_matches": [{**m.story.to_json(), "score": m.score,
                                    "matched_at": m.matched_at.isoformat()} for m in self.recent]}


def definition(watchlist: Watchlist) -> str:
    if watchlist.file is None:
        return ""
    try:
        return watchlist.file.read_text(encoding="utf-8")[:MAX_DEFINITION_CHARS]
    except (OSError, UnicodeDecodeError) as exc:
        return f"(cannot read {watchlist.file}: {exc})"


def load_watchlists(context: ConsoleContext) -> tuple[list[WatchlistView], list[str]]:
    since = context.clock.now() - timedelta(days=RECENT_DAYS)
    lists = context.watchlists.current()
    errors = [str(e) for e in context.watchlists.errors]
    with context.engine.connect() as conn:
        shown = [WatchlistView(w, definition(w), tuple(recent_matches(conn, w.name, since=since, limit=10)))
                 for w in lists]
    return shown, errors


def tester_input(request: Request) -> TesterInput:
    params = request.query_params
    kind = params.get("kind", "query")
    raw_days = params.get("days", "7")
    days = float(raw_days) if raw_days.replace(".", "", 1).isdigit() else 7.0
    return TesterInput(kind=kind if kind in KINDS else "query", text=params.get("q", ""),
                       days=min(max(days, 0.1), 90.0))


def tester(request: Request) -> Tester:
    found: Tester = request.app.state.tester
    return found


async def watchlists_page(request: Request) -> Response:
    shown, errors = await run_in_threadpool(load_watchlists, console(request))
    given = tester_input(request)
    result = await run_in_threadpool(tester(request).run, given) if given.text.strip() else None
    return views(request).render(request, "watchlists.html.j2", {
        "watchlists": shown, "errors": errors, "given": given, "result": result, "kinds": KINDS,
        "recent_days": RECENT_DAYS})


async def tester_page(request: Request) -> Response:
    """The tester's answer alone for htmx; the whole page (with the answer) for a plain form."""
    if not is_htmx(request):
        return await watchlists_page(request)
    given = tester_input(request)
    result = await run_in_threadpool(tester(request).run, given)
    return views(request).render(request, "_tester.html.j2", {"given": given, "result": result})


async def api_watchlists(request: Request) -> Response:
    shown, errors = await run_in_threadpool(load_watchlists, console(request))
    return JSONResponse({"watchlists": [w.to_json() for w in shown], "errors": errors})


async def api_tester(request: Request) -> Response:
    result = await run_in_threadpool(tester(request).run, tester_input(request))
    if result.problem is not None:
        return JSONResponse({"error": result.problem.message, "column": result.problem.column},
                            status_code=400)
    return JSONResponse(result.to_json())


routes = [
    Route("/watchlists", watchlists_page, methods=["GET"], name="watchlists"),
    Route("/watchlists/test", tester_page, methods=["GET"]),
    Route("/api/v1/watchlists", api_watchlists, methods=["GET"]),
    Route("/api/v1/watchlists/test", api_tester, methods=["GET"]),
]
