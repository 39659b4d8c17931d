"""The stories job: articles waiting for a story -> duplicate keys -> vectors -> a story, marked to match.

Two steps per claim. The model runs first, outside any lock, and its vectors are saved on the
articles (a crash does not lose that work). Then, under the assignment lock (one assigner at a time
across replicas), the window catches up with what others placed and places the batch; each
placement and the story's "to match" mark are written in the same transaction. An article whose
placement fails is recorded on that article, final after `[jobs] max_attempts`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from monitor.clock import Clock
from monitor.jobs.report import JobReport
from monitor.jobs.settings import JobSettings
from monitor.models import StoredArticle
from monitor.service.metrics import Metrics
from monitor.storage import articles as article_repo
from monitor.storage.db import reading
from monitor.storage.locks import assignment_lock
from monitor.storage.story_store import DatabaseStoryStore

if TYPE_CHECKING:
    from monitor.stories.window import NotPlaced, Placed, StoryWindow

log = logging.getLogger(__name__)


class WindowSlot:
    """The story window, built on first use (it loads the model and reads the recent stories), and
    dropped when a write fails halfway, so the next use rebuilds it from the database."""

    def __init__(self, build: Callable[[], StoryWindow]) -> None:
        self._build = build
        self._window: StoryWindow | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._window is not None

    def get(self) -> StoryWindow:
        with self._lock:
            if self._window is None:
                self._window = self._build()
            return self._window

    def discard(self) -> None:
        with self._lock:
            self._window = None


@dataclass(frozen=True)
class StoriesContext:
    db: Engine
    window: WindowSlot
    clock: Clock
    jobs: JobSettings
    owner: str
    metrics: Metrics


def run_stories(ctx: StoriesContext) -> JobReport:
    """Place one claim of articles in stories (runs in a worker thread: it is CPU work)."""
    with ctx.db.begin() as conn:
        claimed = article_repo.claim_unplaced(
            conn, now=ctx.clock.now(), owner=ctx.owner, limit=ctx.jobs.stories_batch,
            lease_seconds=ctx.jobs.lease_seconds, max_attempts=ctx.jobs.max_attempts)
    if not claimed:
        return JobReport("stories")
    log.info("job started", extra={"job": "stories", "items": len(claimed)})
    window = ctx.window.get()
    _embed_first(ctx, window, claimed)
    try:
        placed, failed = _place(ctx, window, [a.article_id for a in claimed])
    except Exception:
        ctx.window.discard()  # its memory may hold placements the database rolled back
        raise
    return _report(ctx, placed, failed, more=len(claimed) >= ctx.jobs.stories_batch)


def _embed_first(ctx: StoriesContext, window: StoryWindow, claimed: list[StoredArticle]) -> None:
    with reading(ctx.db) as conn:  # the first one reads the whole window: no writer waits for it
        window.sync(DatabaseStoryStore(conn, now=ctx.clock.now()))  # copies found, no model
    vectors = window.vectors_for(claimed)
    if vectors:
        with ctx.db.begin() as conn:
            article_repo.save_vectors(conn, vectors, window.model)


def _place(ctx: StoriesContext, window: StoryWindow, ids: list[int]) -> tuple[list[Placed], list[NotPlaced]]:
    from monitor.stories.window import NotPlaced, Placed  # the story engine: only once articles wait

    with ctx.db.begin() as conn, assignment_lock(conn):
        batch = article_repo.owned_unplaced(conn, ids, ctx.owner)  # a lease that ran out went elsewhere
        results = window.place_batch(DatabaseStoryStore(conn, now=ctx.clock.now()), batch)
        for result in results:
            if isinstance(result, NotPlaced):
                article_repo.record_placement_failure(conn, result.article_id, result.error,
                                                      max_attempts=ctx.jobs.max_attempts)
    return [r for r in results if isinstance(r, Placed)], [r for r in results if isinstance(r, NotPlaced)]


def _report(ctx: StoriesContext, placed: list[Placed], failed: list[NotPlaced], *, more: bool) -> JobReport:
    for r in placed:
        ctx.metrics.story_assigned(created=r.created)
        log.info("article placed", extra={"article_id": r.article_id, "story_id": r.story_id,
                                          "reason": r.reason, "score": round(r.score, 3)})
        for other in r.merged:
            log.info("stories merged", extra={"story_id": r.story_id, "merged_story_id": other})
    for f in failed:
        ctx.metrics.error("story")
        log.warning("article not placed", extra={"article_id": f.article_id, "error": f.error})
    return JobReport("stories", done=len(placed), failed=len(failed), more=more,
                     errors=tuple(f"article {f.article_id}: {f.error}" for f in failed),
                     counts={"stories_created": sum(r.created for r in placed),
                             "stories_merged": sum(len(r.merged) for r in placed)})
