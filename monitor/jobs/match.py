"""The match job: stories that changed -> watchlists -> matches and outbox rows.

The passage vectors `about` watchlists embed are kept on the articles: matching the story again when
it grows embeds only its new members. What each watchlist found in a member is kept in memory too
(watch/memo.py): the story's older members and copies of them are not tokenised again.

A story is leased with the change counter it had; it is read in one short transaction, matched
outside any, and its matches, the alerts they call for and "matched as of that change" are written
together. A story that changed meanwhile keeps a counter ahead of what was matched, so it is
matched again. A failure is recorded on the story; after `[jobs] max_attempts` it waits for its next
change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import NoResultFound

from monitor.alerts.plan import plan_alerts
from monitor.clock import Clock
from monitor.jobs.report import JobReport
from monitor.jobs.settings import JobSettings
from monitor.service.metrics import Metrics
from monitor.storage import stories as story_repo
from monitor.watch.loader import WatchlistSet
from monitor.watch.memo import MatchMemo

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchContext:
    db: Engine
    watchlists: WatchlistSet
    embedder: Embedder | None  # for `about` watchlists; loaded on first use
    clock: Clock
    jobs: JobSettings
    owner: str
    metrics: Metrics
    memo: MatchMemo = field(default_factory=MatchMemo)  # results of older members, for re-matches


@dataclass(frozen=True)
class _Outcome:
    matched: int = 0  # watchlists the story matched
    planned: int = 0
    error: str | None = None


def run_match(ctx: MatchContext) -> JobReport:
    """Match one claim of changed stories (runs in a worker thread)."""
    ctx.watchlists.reload_if_changed()
    with ctx.db.begin() as conn:
        claimed = story_repo.claim_to_match(conn, now=ctx.clock.now(), owner=ctx.owner,
                                            limit=ctx.jobs.match_batch, lease_seconds=ctx.jobs.lease_seconds,
                                            max_attempts=ctx.jobs.max_attempts)
    if claimed:
        log.info("job started", extra={"job": "match", "items": len(claimed)})
    outcomes = [_match_one(ctx, story_id, seq) for story_id, seq in claimed]
    planned = sum(o.planned for o in outcomes)
    ctx.metrics.alerts_planned.inc(planned)
    errors = tuple(o.error for o in outcomes if o.error)
    return JobReport("match", done=len(outcomes) - len(errors), failed=len(errors),
                     more=len(claimed) >= ctx.jobs.match_batch, errors=errors,
                     counts={"stories_matched": sum(o.matched > 0 for o in outcomes),
                             "alerts_planned": planned})


def _match_one(ctx: MatchContext, story_id: int, seq: int) -> _Outcome:
    from monitor.watch.matcher import ArticleCache, match_story  # numpy: only once a story is to match

    try:
        with ctx.db.begin() as conn:
            story = story_repo.load_story(conn, story_id)
    except NoResultFound:
        return _Outcome()  # merged into another story (which is queued itself) or pruned
    try:
        watchlists, cache = ctx.watchlists.current(), ArticleCache(ctx.embedder, ctx.memo)
        failures: list[str] = []
        matches = match_story(watchlists, story, embedder=ctx.embedder, errors=failures, cache=cache)
        now = ctx.clock.now()
        with ctx.db.begin() as conn:
            story_repo.save_passages(conn, {k: v.tobytes() for k, v in cache.computed.items()})
            planned = 0
            if matches:
                story_repo.record_matches(conn, matches, now=now)
                planned = plan_alerts(conn, matches, watchlists={w.name: w.delivery for w in watchlists},
                                      now=now, stories={story.id: story})
                if planned:  # a match whose lists name no channel plans nothing, and alerts nobody
                    story_repo.mark_alerted(conn, [story_id])
            if failures:  # the others matched; the failing watchlists get another try with the story
                story_repo.record_match_failure(conn, story_id, "; ".join(failures), ctx.owner)
            else:
                story_repo.mark_matched(conn, story_id, seq, ctx.owner)
        if failures:
            ctx.metrics.error("match")
            log.error("watchlist failed on a story", extra={"story_id": story_id, "errors": failures})
        return _Outcome(matched=len(matches), planned=planned,
                        error=f"story {story_id}: {'; '.join(failures)}" if failures else None)
    except Exception as exc:  # a watchlist or model failure on this story only
        log.exception("story matching failed", extra={"story_id": story_id})
        ctx.metrics.error("match")
        error = f"story {story_id}: {type(exc).__name__}: {exc}"
        with ctx.db.begin() as conn:
            story_repo.record_match_failure(conn, story_id, error, ctx.owner)
        return _Outcome(error=error)
