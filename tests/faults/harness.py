"""Real pieces wired for tests: a SQLite file, the real fetcher (loopback allowed), poll_due."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from sqlalchemy import Engine, select

from monitor.clock import FakeClock
from monitor.ingest.cycle import PollContext, PollReport, poll_due
from monitor.ingest.settings import FeedSpec, PollingSettings
from monitor.models import Feed
from monitor.net.http import HttpFetcher
from monitor.net.settings import HttpSettings
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import get_feed, sync_feeds
from monitor.storage.tables import entries

TEST_HTTP = HttpSettings(connect_timeout=1, read_timeout=1, write_timeout=1, pool_timeout=2, total_timeout=3,
                         allowed_networks=("127.0.0.0/8",))
TEST_POLLING = PollingSettings(max_entries_per_feed=500, feed_max_bytes=8 * 1024 * 1024, jitter_fraction=0.1)


def make_engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    migrate(engine)
    return engine


class Harness:
    def __init__(self, tmp_path: Path, *, http: HttpSettings = TEST_HTTP,
                 polling: PollingSettings = TEST_POLLING) -> None:
        self.engine = make_engine(tmp_path)
        self.clock = FakeClock()
        self.http = http
        self.polling = polling

    def sync(self, feeds: dict[str, str]) -> None:
        with self.engine.begin() as conn:
            sync_feeds(conn, [FeedSpec(name=n, url=u) for n, u in feeds.items()], self.clock.now())

    def cycle(self) -> PollReport:
        async def run() -> PollReport:
            fetcher = HttpFetcher(self.http, clock=self.clock)
            try:
                ctx = PollContext(self.engine, fetcher, self.clock, self.polling, owner="test",
                                  rng=random.Random(7))
                return await poll_due(ctx)
            finally:
                await fetcher.aclose()

        return asyncio.run(run())

    def feed(self, name: str) -> Feed:
        with self.engine.connect() as conn:
            feed = get_feed(conn, name=name)
        assert feed is not None
        return feed

    def titles(self, name: str) -> list[str]:
        feed = self.feed(name)
        with self.engine.connect() as conn:
            rows = conn.execute(select(entries.c.title).where(entries.c.feed_id == feed.id)
                                .order_by(entries.c.id))
            return [r.title for r in rows]
