"""One cycle of the flow, top to bottom: poll due feeds -> fetch and extract new entries ->
assign stories -> match watchlists -> plan alerts -> deliver. Each step is safe to repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from monitor.alerts.deliver import DeliveryReport, deliver_due
from monitor.alerts.plan import plan_alerts
from monitor.app import App
from monitor.content.extract import extract_article
from monitor.content.fetch import fetch_page
from monitor.errors import ExtractionError, FetchError
from monitor.ingest.cycle import PollContext, PollReport, poll_due
from monitor.models import Article, Page
from monitor.storage import articles as article_repo
from monitor.storage import stories as story_repo
from monitor.storage.entries import (
    PendingEntry,
    claim_pending_entries,
    mark_entry_done,
    mark_entry_failed,
)
from monitor.storage.locks import assignment_lock
from monitor.stories import ArticleInput
from monitor.watch.matcher import match_story

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger(__name__)

MAX_PAGE_ATTEMPTS = 3


@dataclass
class CycleReport:
    poll: PollReport | None = None
    articles: int = 0
    duplicates: int = 0
    failed_pages: list[str] = field(default_factory=list)
    touched_stories: set[int] = field(default_factory=set)
    planned_alerts: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "feeds_polled": len(self.poll.outcomes) if self.poll else 0,
            "new_articles": self.articles,
            "duplicates": self.duplicates,
            "failed_pages": self.failed_pages,
            "stories_touched": sorted(self.touched_stories),
            "alerts_planned": self.planned_alerts,
        }


def run_once(app: App) -> CycleReport:
    """One full cycle in an event loop of its own (`monitor once`, the demo, tests); the HTTP
    client is bound to that loop, so it is closed with it."""
    async def cycle() -> CycleReport:
        try:
            return await run_cycle(app)
        finally:
            await app.close_fetcher()

    return asyncio.run(cycle())


async def run_cycle(app: App, *, deliver: bool = True) -> CycleReport:
    report = CycleReport()
    app.watchlists.reload_if_changed()
    report.poll = await poll_due(PollContext(
        engine=app.engine, fetcher=app.open_fetcher(), clock=app.clock,
        settings=app.settings.polling, owner=app.owner,
    ))
    _count_polls(app, report.poll)
    await process_pending(app, report)
    report.planned_alerts = match_and_plan(app, report.touched_stories)
    if deliver:
        await asyncio.to_thread(deliver_pending, app)
    return report


def _count_polls(app: App, poll: PollReport) -> None:
    for outcome in poll.outcomes:
        kind = "error" if outcome.error else "not_modified" if outcome.http_status == 304 else "ok"
        app.metrics.feed_polled(kind)
        if outcome.error:
            app.metrics.error("feed")
            log.warning("feed poll failed", extra={"feed_id": outcome.feed_id, "feed": outcome.name,
                                                   "url": outcome.url, "error": outcome.error})
    app.metrics.entries_new.inc(poll.new_entries)


async def process_pending(app: App, report: CycleReport) -> None:
    """Fetch and extract the entries still marked new (also those a crash left behind).

    Entries are leased, so replicas split the pages between them; a retryable failure keeps the
    entry new and it is tried again when its lease expires.
    """
    polling = app.settings.polling
    with app.engine.begin() as conn:
        pending = claim_pending_entries(conn, now=app.clock.now(), owner=app.owner,
                                        limit=polling.batch_size, lease_seconds=polling.lease_seconds)
    fetcher = app.open_fetcher()

    async def fetch(entry: PendingEntry) -> Page | Exception:
        try:
            return await fetch_page(fetcher, entry.url or "")
        except FetchError as exc:
            return exc

    linked = [e for e in pending if e.url]
    pages = await asyncio.gather(*(fetch(e) for e in linked))
    for entry in (e for e in pending if not e.url):
        _fail(app, entry, "entry has no link", final=True, report=report)
    extracted: list[tuple[PendingEntry, Article]] = []
    for entry, page in zip(linked, pages, strict=True):
        if isinstance(page, Exception):
            _fail(app, entry, str(page), final=entry.attempts + 1 >= MAX_PAGE_ATTEMPTS, report=report)
            continue
        try:
            article = await asyncio.to_thread(
                extract_article, page, source=entry.feed_name, tags=entry.feed_tags,
                fallback_title=entry.title, fallback_published=entry.published,
                settings=app.settings.content)
        except ExtractionError as exc:
            _fail(app, entry, str(exc), final=True, report=report)
            continue
        extracted.append((entry, article))
    await asyncio.to_thread(store_articles, app, extracted, report)


def store_articles(app: App, extracted: list[tuple[PendingEntry, Article]], report: CycleReport) -> None:
    """Embed in one batch what the cheap duplicate layers cannot place, then store one by one.

    Embedding happens before the assignment lock is taken, so the lock (and SQLite's write lock)
    is held for the assignment itself, not for the model. The window catches up first, outside the
    lock: after a restart, copies of stored articles are then found without embedding them.
    """
    if not extracted:
        return
    with app.engine.begin() as conn:
        sync_story_window(app, conn)
    items = [_story_input(article) for _, article in extracted]
    to_embed = [i for i, needed in enumerate(app.stories.needs_vectors(items)) if needed]
    vectors = app.stories.embed([items[i] for i in to_embed])
    vector_of = dict(zip(to_embed, vectors, strict=True))
    for index, (entry, article) in enumerate(extracted):
        store_article(app, entry, article, items[index], report, vector=vector_of.get(index))


def _story_input(article: Article) -> ArticleInput:
    return ArticleInput(title=article.title, text=article.text, language=article.language,
                        published=article.published, canonical_url=article.canonical_url)


def _fail(app: App, entry: PendingEntry, error: str, *, final: bool, report: CycleReport) -> None:
    log.warning("page skipped", extra={"feed_id": entry.feed_id, "feed": entry.feed_name,
                                       "entry_id": entry.id, "url": entry.url, "error": error})
    app.metrics.error("page")
    report.failed_pages.append(f"{entry.feed_name}: {error}")
    with app.engine.begin() as conn:
        mark_entry_failed(conn, entry.id, error, final=final)


def store_article(app: App, entry: PendingEntry, article: Article, item: ArticleInput, report: CycleReport,
                  *, vector: np.ndarray | None = None) -> None:
    """Store the article and put it in a story; serialised across replicas by the assignment lock."""
    now = app.clock.now()
    with app.engine.begin() as conn, assignment_lock(conn):
        existing = article_repo.find_by_canonical_url(conn, article.canonical_url)
        if existing is not None:  # the same page reached us through another feed or entry
            mark_entry_done(conn, entry.id, existing[0])
            report.duplicates += 1
            return
        sync_story_window(app, conn)  # what other replicas stored since (one indexed query)
        assignment = app.stories.assign(item, vector=vector)
        story_id = assignment.story_id or story_repo.create_story(conn, article, now=now)
        keys = article_repo.ArticleKeys(
            story_id=story_id, text_hash=assignment.text_hash, simhash=assignment.simhash,
            vector=assignment.vector, vector_model=assignment.vector_model,
            score=assignment.score, reason=assignment.reason,
        )
        article_id = article_repo.insert_article(conn, article, keys, feed_id=entry.feed_id, now=now)
        app.stories.commit(article_id, story_id, item, assignment)
        story_repo.add_member(conn, story_id, article, now=now)
        for other in assignment.also:  # this article bridges stories told apart until now
            if story_repo.merge_stories(conn, story_id, other):  # never folds an alerted story away
                app.stories.merge(story_id, other)
                report.touched_stories.discard(other)
                log.info("stories merged", extra={"story_id": story_id, "merged_story_id": other})
        mark_entry_done(conn, entry.id, article_id)
        app.last_synced_article_id = max(app.last_synced_article_id, article_id)
    report.articles += 1
    report.touched_stories.add(story_id)
    app.metrics.articles_added.inc()
    app.metrics.story_assigned(created=assignment.story_id is None)
    log.info("article stored", extra={"article_id": article_id, "story_id": story_id,
                                      "reason": assignment.reason, "feed": entry.feed_name})


def sync_story_window(app: App, conn: Connection) -> None:
    """Load articles stored since we last looked (at start-up, or by another replica)."""
    since = app.clock.now() - timedelta(days=app.settings.stories.window_days)
    items = list(article_repo.iter_articles(conn, since=since, after_id=app.last_synced_article_id))
    if items:
        app.stories.load(items)
        app.last_synced_article_id = max(i.article_id for i in items)


def match_and_plan(app: App, story_ids: Iterable[int]) -> int:
    """Match touched stories against the watchlists and plan one alert per story x list x channel."""
    watchlists = app.watchlists.current()
    policies = {w.name: w.delivery for w in watchlists}
    planned = 0
    for story_id in sorted(story_ids):
        with app.engine.begin() as conn:
            story = story_repo.load_story(conn, story_id)
            matches = match_story(watchlists, story, embedder=app.embedder)
            if not matches:
                continue
            story_repo.record_matches(conn, matches, now=app.clock.now())
            added = plan_alerts(conn, matches, watchlists=policies, now=app.clock.now())
            if added:  # a match whose lists name no channel plans nothing, and alerts nobody
                story_repo.mark_alerted(conn, [story_id])
            planned += added
    app.metrics.alerts_planned.inc(planned)
    return planned


def deliver_pending(app: App) -> DeliveryReport:
    policies = {w.name: w.delivery for w in app.watchlists.current()}
    report = deliver_due(app.engine, app.channels, now=app.clock.now(), settings=app.settings.delivery,
                         owner=app.owner, watchlists=policies)
    for answer in report.answers:
        app.metrics.alert_delivery(answer.channel, "sent")
    for channel, reason in report.errors:
        app.metrics.alert_delivery(channel, "error")
        log.warning("alert delivery failed", extra={"channel": channel, "error": reason})
    return report
