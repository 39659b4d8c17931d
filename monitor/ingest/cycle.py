"""One polling cycle: claim the due feeds, poll them concurrently, store what came back.

Feeds are grouped by host into lanes (at most `per_host_limit` lanes per host), and lanes share
a global concurrency limit: a slow host only ever occupies its own lanes, never the whole cycle.
Each request runs under the fetcher's total deadline. Outcomes are written in batches (one transaction
each) from a worker thread so the event loop keeps serving the other feeds. A failing feed is recorded and
skipped; nothing a single feed does can stop the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine

from monitor.clock import Clock
from monitor.ingest.parse import ParsedFeed, parse_feed
from monitor.ingest.poll import poll_feed
from monitor.ingest.schedule import plan_update
from monitor.ingest.settings import PollingSettings
from monitor.libxml2_lock import held_elsewhere
from monitor.models import Feed, FeedUpdate, PollResult
from monitor.net.http import HttpFetcher
from monitor.storage.entries import insert_new_entries_of_feeds
from monitor.storage.feeds import claim_due_feeds, record_polls, release_lease

log = logging.getLogger(__name__)

_FLUSH_EVERY = 200
_PARSE_IN_THREAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class PollContext:
    engine: Engine
    fetcher: HttpFetcher
    clock: Clock
    settings: PollingSettings
    owner: str
    rng: random.Random = field(default_factory=random.Random)


@dataclass(frozen=True)
class FeedOutcome:
    feed_id: int
    name: str
    url: str
    status: str  # words: "200 OK, 3 new", "not modified", "error: connection refused", ...
    http_status: int | None
    new_entries: int = 0
    error: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class PollReport:
    outcomes: tuple[FeedOutcome, ...] = ()

    @property
    def new_entries(self) -> int:
        return sum(o.new_entries for o in self.outcomes)

    @property
    def errors(self) -> int:
        return sum(1 for o in self.outcomes if o.error)


@dataclass(frozen=True)
class _Polled:
    feed: Feed
    result: PollResult
    parsed: ParsedFeed | None


async def poll_due(ctx: PollContext) -> PollReport:
    """Poll every feed due now (up to settings.batch_size) and record each outcome."""
    now = ctx.clock.now()
    claimed = await asyncio.to_thread(_claim, ctx, now)
    if not claimed:
        return PollReport()
    log.info("job started", extra={"job": "poll", "items": len(claimed)})
    lanes = _lanes(claimed, ctx.fetcher.settings.per_host_limit)
    gate = asyncio.Semaphore(ctx.settings.concurrency)
    buffer: list[_Polled] = []
    outcomes: list[FeedOutcome] = []
    flushing = asyncio.Lock()

    async def flush(force: bool) -> None:
        if flushing.locked() and not force:
            return  # a write is under way; lanes keep polling instead of queueing behind it
        async with flushing:
            while buffer and (force or len(buffer) >= _FLUSH_EVERY):
                batch = buffer[:]
                buffer.clear()
                outcomes.extend(await asyncio.to_thread(_store, ctx, batch, now))

    async def run_lane(lane: list[Feed]) -> None:
        for feed in lane:
            async with gate:
                buffer.append(await _poll_one(ctx, feed, now))
            await flush(force=False)

    await asyncio.gather(*(run_lane(lane) for lane in lanes))
    await flush(force=True)
    return PollReport(tuple(sorted(outcomes, key=lambda o: o.name)))


def _claim(ctx: PollContext, now: datetime) -> list[Feed]:
    with ctx.engine.begin() as conn:
        return claim_due_feeds(conn, now=now, owner=ctx.owner, limit=ctx.settings.batch_size,
                               lease_seconds=ctx.settings.lease_seconds)


def _lanes(feeds: list[Feed], per_host: int) -> list[list[Feed]]:
    by_host: dict[str, list[Feed]] = defaultdict(list)
    for feed in feeds:
        by_host[(urlsplit(feed.url).netloc or feed.url).lower()].append(feed)
    lanes: list[list[Feed]] = []
    for host_feeds in by_host.values():
        count = min(per_host, len(host_feeds))
        lanes.extend(host_feeds[i::count] for i in range(count))
    return lanes


async def _poll_one(ctx: PollContext, feed: Feed, now: datetime) -> _Polled:
    result = await poll_feed(ctx.fetcher, feed, max_bytes=ctx.settings.feed_max_bytes, now=now)
    parsed = None
    if result.ok and result.body is not None:
        job = partial(parse_feed, result.body, result.url, max_entries=ctx.settings.max_entries_per_feed,
                      charset=result.charset)
        try:
            # Big documents parse in a thread so the loop keeps serving the other feeds meanwhile, and so
            # does any while a page is being extracted: the parse would wait for it (libxml2_lock.py).
            in_thread = len(result.body) > _PARSE_IN_THREAD_BYTES or held_elsewhere()
            parsed = await asyncio.to_thread(job) if in_thread else job()
        except Exception as exc:  # feedparser surprises are this feed's problem only
            log.exception("parse failed feed_id=%s url=%s", feed.id, result.url)
            parsed = ParsedFeed(error=f"cannot parse: {type(exc).__name__}: {exc}")
    return _Polled(feed, result, parsed)


def _store(ctx: PollContext, batch: list[_Polled], now: datetime) -> list[FeedOutcome]:
    """Runs in a worker thread: the batch in one transaction; should that fail, feed by feed so one
    bad row spoils nothing."""
    try:
        with ctx.engine.begin() as conn:
            return _store_many(ctx, conn, batch, now)
    except Exception:
        log.exception("batch write failed; retrying feed by feed")
    outcomes = []
    for polled in batch:
        feed = polled.feed
        try:
            with ctx.engine.begin() as conn:
                outcomes.extend(_store_many(ctx, conn, [polled], now))
        except Exception as exc:
            log.exception("cannot record poll feed_id=%s", feed.id)
            with ctx.engine.begin() as conn:
                release_lease(conn, feed.id, ctx.owner)
            outcomes.append(FeedOutcome(feed.id, feed.name, feed.url, f"error: cannot store ({exc})",
                                        polled.result.status, error=f"cannot store: {exc}"))
    return outcomes


def _store_many(ctx: PollContext, conn: Connection, batch: list[_Polled], now: datetime) -> list[FeedOutcome]:
    """The new entries of the whole batch, then every feed's next check: a few statements, not a few
    per feed."""
    entries = {p.feed.id: p.parsed.entries for p in batch
               if p.parsed and p.parsed.is_feed and p.parsed.entries}
    new = insert_new_entries_of_feeds(conn, entries, now) if entries else {}
    updates = [plan_update(p.feed, p.result, p.parsed, new_entries=new.get(p.feed.id, 0), now=now,
                           settings=ctx.settings, rng=ctx.rng) for p in batch]
    record_polls(conn, [(p.feed.id, update) for p, update in zip(batch, updates, strict=True)], now)
    return [_outcome(p.feed, p.result, update) for p, update in zip(batch, updates, strict=True)]


def _outcome(feed: Feed, result: PollResult, update: FeedUpdate) -> FeedOutcome:
    if update.disable_reason:
        words = f"disabled: {update.disable_reason}"
    elif update.error:
        words = f"error: {update.error}"
    elif result.not_modified:
        words = "not modified"
    else:
        words = f"{result.status} OK, {update.new_entries} new"
    if update.new_url:
        words += f", moved to {update.new_url}"
    return FeedOutcome(feed.id, feed.name, feed.url, words, result.status, update.new_entries,
                       update.error, update.warning)
