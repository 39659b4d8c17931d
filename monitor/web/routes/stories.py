"""Stories: the list (filters, pages) and one story, as pages and as `/api/v1/stories`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.storage.outbox_view import AlertFilter, browse_alerts
from monitor.storage.stories_export import StoryDetail, get_story
from monitor.storage.story_search import StoryFacets, StoryFilter, StoryPage, search_stories, story_facets
from monitor.web.context import ConsoleContext
from monitor.web.paging import page_count, page_number, per_page
from monitor.web.story_page import StoryPage as StoryView
from monitor.web.story_page import story_page
from monitor.web.views import console, is_htmx, views

FILTER_KEYS = ("watchlist", "language", "outlet", "q", "alerted")


@dataclass(frozen=True)
class Listing:
    found: StoryPage
    facets: StoryFacets
    page: int
    per_page: int
    chosen: dict[str, str]  # the filters as given, to keep them in the form and the page links

    @property
    def pages(self) -> int:
        return page_count(self.found.total, self.per_page)

    def link(self, page: int) -> str:
        return "/stories?" + urlencode({**self.chosen, "page": page})


def chosen_filters(request: Request) -> dict[str, str]:
    return {k: v.strip() for k in FILTER_KEYS if (v := request.query_params.get(k, "")).strip()}


def story_filter(chosen: dict[str, str]) -> StoryFilter:
    alerted = {"yes": True, "no": False}.get(chosen.get("alerted", ""))
    return StoryFilter(watchlist=chosen.get("watchlist"), language=chosen.get("language"),
                       outlet=chosen.get("outlet"), text=chosen.get("q"), alerted=alerted)


def load_listing(context: ConsoleContext, chosen: dict[str, str], page: int, size: int) -> Listing:
    with context.engine.connect() as conn:
        found = search_stories(conn, story_filter(chosen), offset=(page - 1) * size, limit=size)
        facets = story_facets(conn)
    return Listing(found, facets, page, size, chosen)


def load_story(context: ConsoleContext, story_id: int) -> StoryDetail | None:
    with context.engine.connect() as conn:
        return get_story(conn, story_id)


def load_story_view(context: ConsoleContext, story_id: int) -> StoryView | None:
    with context.engine.connect() as conn:
        detail = get_story(conn, story_id)
        if detail is None:
            return None
        alerts = browse_alerts(conn, AlertFilter(story_id=story_id), limit=200)
    return story_page(detail, alerts.rows)


async def stories_page(request: Request) -> Response:
    context = console(request)
    listing = await run_in_threadpool(load_listing, context, chosen_filters(request), page_number(request),
                                      per_page(request, context.settings.web.page_size))
    template = "_story_list.html.j2" if is_htmx(request) else "stories.html.j2"
    return views(request).render(request, template, {"listing": listing})


async def story_view(request: Request) -> Response:
    story_id = int(request.path_params["story_id"])
    found = await run_in_threadpool(load_story_view, console(request), story_id)
    if found is None:
        return views(request).render(request, "missing.html.j2", {"what": f"story {story_id}"}, status=404)
    return views(request).render(request, "story.html.j2", {"page": found})


async def api_stories(request: Request) -> Response:
    context = console(request)
    page = page_number(request)
    listing = await run_in_threadpool(load_listing, context, chosen_filters(request), page,
                                      per_page(request, context.settings.web.page_size))
    body: dict[str, Any] = {"stories": [s.to_json() for s in listing.found.stories],
                            "total": listing.found.total, "page": page, "per_page": listing.per_page}
    return JSONResponse(body)


async def api_story(request: Request) -> Response:
    story_id = int(request.path_params["story_id"])
    detail = await run_in_threadpool(load_story, console(request), story_id)
    if detail is None:
        return JSONResponse({"error": f"no story with id {story_id}"}, status_code=404)
    return JSONResponse(detail.to_json())


routes = [
    Route("/", stories_page, methods=["GET"], name="home"),
    Route("/stories", stories_page, methods=["GET"], name="stories"),
    Route("/stories/{story_id:int}", story_view, methods=["GET"], name="story"),
    Route("/api/v1/stories", api_stories, methods=["GET"]),
    Route("/api/v1/stories/{story_id:int}", api_story, methods=["GET"]),
]
