"""Builds every dependency once (clock, database, HTTP client, embedder, story engine, watchlists,
channels, metrics) and hands them to the stages in one context object. Nothing else holds clients.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from monitor.alerts.channels import Channel, build_channels
from monitor.clock import Clock, SystemClock
from monitor.config import Settings
from monitor.metrics import Metrics
from monitor.net.http import HttpFetcher
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds
from monitor.storage.locks import feed_sync_lock
from monitor.stories import StoryEngine, load_embedder
from monitor.watch.loader import WatchlistSet

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    clock: Clock
    engine: Engine
    embedder: Embedder
    stories: StoryEngine
    watchlists: WatchlistSet
    channels: dict[str, Channel]
    metrics: Metrics
    owner: str  # this process's name in row leases (feeds, outbox)
    fetcher: HttpFetcher | None = None  # bound to the running event loop; see open_fetcher
    last_synced_article_id: int = field(default=0)

    def open_fetcher(self) -> HttpFetcher:
        """The one HTTP client; created inside the event loop that will use it."""
        if self.fetcher is None:
            self.fetcher = HttpFetcher(self.settings.http)
        return self.fetcher

    async def aclose(self) -> None:
        if self.fetcher is not None:
            await self.fetcher.aclose()
            self.fetcher = None
        self.engine.dispose()


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Open the database (migrating it), load models and watchlists, build channels."""
    clock = clock or SystemClock()
    threads = settings.stories.threads
    if threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    engine = create_db_engine(settings.database.url)
    migrate(engine)
    with engine.begin() as conn, feed_sync_lock(conn):  # replicas may start together
        sync_feeds(conn, settings.feeds, clock.now())
    embedder = load_embedder(settings.stories)
    watchlists = WatchlistSet(settings.watchlists.directory, set(settings.channels), embedder, clock)
    for error in watchlists.errors:
        log.error("watchlist skipped: %s", error)
    app = App(
        settings=settings, clock=clock, engine=engine, embedder=embedder,
        stories=StoryEngine(settings.stories, embedder, clock), watchlists=watchlists,
        channels=build_channels(settings.channels), metrics=Metrics(),
        owner=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}",
    )
    return app
