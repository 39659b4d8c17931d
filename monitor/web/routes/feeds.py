"""Feeds: state and health, enable / disable / check now, add by URL (with discovery), OPML in and out;
as pages and as `/api/v1/feeds`. Changes go through the repository functions the CLI uses."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.errors import MonitorError
from monitor.ingest.feedlist import ImportReport, add_by_url, export_all, import_opml
from monitor.net.http import HttpFetcher
from monitor.storage.feeds import check_now, set_enabled
from monitor.web.context import ConsoleContext
from monitor.web.feed_rows import FeedRow, feed_rows
from monitor.web.gate import api_refusal, field, form_action
from monitor.web.views import Notice, console, is_htmx, views

MAX_OPML_BYTES = 5 * 1024 * 1024
ACTIONS = {"enable": "switched on; it is checked on the next poll", "disable": "switched off",
           "check": "due now; the next poll checks it"}


def change_feed(context: ConsoleContext, action: str, name: str) -> bool:
    """Apply one action to the feed named `name`; False when there is no such feed."""
    now = context.clock.now()
    with context.engine.begin() as conn:
        if action == "check":
            return check_now(conn, name, now=now)
        return set_enabled(conn, name, action == "enable", now=now)


ALREADY = "already subscribed as"


async def subscribe(context: ConsoleContext, url: str, name: str, tags: list[str]) -> Notice:
    settings = context.settings
    fetcher = HttpFetcher(settings.http, clock=context.clock)
    try:
        subscription = await add_by_url(context.engine, fetcher, url, now=context.clock.now(),
                                        name=name or None, tags=tags,
                                        max_bytes=settings.polling.feed_max_bytes)
    except MonitorError as exc:
        return Notice(f"not added: {exc}", ok=False)
    finally:
        await fetcher.aclose()
    feed = subscription.feed
    if subscription.already:
        return Notice(f"{ALREADY} {feed.name!r}: {feed.url}; nothing added")
    found = f" (found on the page {subscription.via})" if subscription.via else ""
    return Notice(f"added {feed.name!r}: {feed.url}{found}")


def import_notice(report: ImportReport) -> Notice:
    text = f"imported {len(report.added)} feed(s), skipped {len(report.skipped)}"
    if report.skipped:
        text += ": " + "; ".join(report.skipped)
    return Notice(text, ok=bool(report.added) or not report.skipped)


def render_list(request: Request, rows: list[FeedRow], notice: Notice | None, status: int = 200) -> Response:
    template = "_feed_list.html.j2" if is_htmx(request) else "feeds.html.j2"
    return views(request).render(request, template, {"rows": rows, "notice": notice}, status=status)


async def feeds_page(request: Request) -> Response:
    errors_only = request.query_params.get("errors") == "1"
    rows = await run_in_threadpool(feed_rows, console(request), errors_only=errors_only)
    return render_list(request, rows, None)


def unknown_action(request: Request) -> Response | None:
    action = request.path_params["action"]
    if action in ACTIONS:
        return None
    return JSONResponse({"error": f"no feed action {action!r} (known: {', '.join(ACTIONS)})"},
                        status_code=404)


async def feed_action(request: Request) -> Response:
    form = unknown_action(request) or await form_action(request)
    if isinstance(form, Response):
        return form
    action, name = request.path_params["action"], field(form, "name")
    context = console(request)
    found = await run_in_threadpool(change_feed, context, action, name)
    notice = Notice(f"{name!r} is {ACTIONS[action]}") if found else Notice(f"no feed named {name!r}", False)
    rows = await run_in_threadpool(feed_rows, context)
    if is_htmx(request) and found:
        row = next(r for r in rows if r.name == name)
        return views(request).render(request, "_feed_row.html.j2", {"row": row, "row_notice": notice})
    return render_list(request, rows, notice, status=200 if found else 404)


async def feed_add(request: Request) -> Response:
    form = await form_action(request)
    if isinstance(form, Response):
        return form
    tags = [t.strip() for t in field(form, "tags").split(",") if t.strip()]
    context = console(request)
    notice = await subscribe(context, field(form, "url"), field(form, "name"), tags)
    rows = await run_in_threadpool(feed_rows, context)
    return render_list(request, rows, notice, status=200 if notice.ok else 422)


async def feed_import(request: Request) -> Response:
    form = await form_action(request)
    if isinstance(form, Response):
        return form
    upload = form.get("opml")
    context = console(request)
    if not isinstance(upload, UploadFile):
        notice = Notice("choose an OPML file to import", ok=False)
    else:
        data = await upload.read(MAX_OPML_BYTES + 1)
        notice = await run_in_threadpool(_import, context, data, upload.filename or "upload.opml")
    rows = await run_in_threadpool(feed_rows, context)
    return render_list(request, rows, notice, status=200 if notice.ok else 422)


def _import(context: ConsoleContext, data: bytes, source: str) -> Notice:
    if len(data) > MAX_OPML_BYTES:
        return Notice(f"{source}: larger than {MAX_OPML_BYTES // 2**20} MB", ok=False)
    try:
        return import_notice(import_opml(context.engine, data, source=source, now=context.clock.now()))
    except MonitorError as exc:
        return Notice(f"not imported: {exc}", ok=False)


async def feed_export(request: Request) -> Response:
    context = console(request)
    document = await run_in_threadpool(export_all, context.engine, now=context.clock.now(),
                                       include_disabled=request.query_params.get("all") == "1")
    return Response(document, media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="feeds.opml"'})


async def api_feeds(request: Request) -> Response:
    rows = await run_in_threadpool(feed_rows, console(request),
                                   errors_only=request.query_params.get("errors") == "1")
    return JSONResponse({"feeds": [r.to_json() for r in rows]})


async def json_body(request: Request) -> dict[str, object] | Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
    return body


async def api_feed_add(request: Request) -> Response:
    body = await json_body(request) if (refusal := api_refusal(request)) is None else refusal
    if isinstance(body, Response):
        return body
    url, name, tags = body.get("url"), body.get("name") or "", body.get("tags") or []
    if not isinstance(url, str) or not url or not isinstance(name, str) or not isinstance(tags, list):
        return JSONResponse({"error": "expected {\"url\": str, \"name\"?: str, \"tags\"?: [str]}"},
                            status_code=400)
    notice = await subscribe(console(request), url, name, [str(t) for t in tags])
    added = notice.ok and not notice.text.startswith(ALREADY)
    return JSONResponse({"ok": notice.ok, "added": added, "message": notice.text},
                        status_code=201 if added else 200 if notice.ok else 422)


async def api_feed_action(request: Request) -> Response:
    refusal = unknown_action(request) or api_refusal(request)
    body = await json_body(request) if refusal is None else refusal
    if isinstance(body, Response):
        return body
    name = body.get("name")
    if not isinstance(name, str) or not name:
        return JSONResponse({"error": "expected {\"name\": str}"}, status_code=400)
    action = request.path_params["action"]
    if not await run_in_threadpool(change_feed, console(request), action, name):
        return JSONResponse({"error": f"no feed named {name!r}"}, status_code=404)
    return JSONResponse({"ok": True, "message": f"{name!r} is {ACTIONS[action]}"})


async def api_feed_import(request: Request) -> Response:
    if (refusal := api_refusal(request)) is not None:
        return refusal
    notice = await run_in_threadpool(_import, console(request), await request.body(), "request body")
    return JSONResponse({"ok": notice.ok, "message": notice.text}, status_code=200 if notice.ok else 422)


routes = [
    Route("/feeds", feeds_page, methods=["GET"], name="feeds"),
    Route("/feeds/add", feed_add, methods=["POST"]),
    Route("/feeds/import", feed_import, methods=["POST"]),
    Route("/feeds/export.opml", feed_export, methods=["GET"]),
    Route("/feeds/{action:str}", feed_action, methods=["POST"]),
    Route("/api/v1/feeds", api_feeds, methods=["GET"]),
    Route("/api/v1/feeds", api_feed_add, methods=["POST"]),
    Route("/api/v1/feeds/import", api_feed_import, methods=["POST"]),
    Route("/api/v1/feeds/export", feed_export, methods=["GET"]),
    Route("/api/v1/feeds/{action:str}", api_feed_action, methods=["POST"]),
]
