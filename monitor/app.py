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
from monitor.config import Settings, load_config
from monitor.errors import ConfigError
from monitor.ingest.guard import retry_unblocked
from monitor.net.http import HttpFetcher
from monitor.service.metrics import Metrics
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds
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

    def reload(self) -> list[str]:
        """Re-read the config file (SIGHUP): feeds, channels and watchlists change in place.

        A broken file keeps everything as it was. Database and HTTP settings need a restart.
        """
        if self.settings.source is None:
            return ["no config file to reload"]
        try:
            fresh = load_config(self.settings.source)
        except ConfigError as exc:
            log.error("config reload failed, keeping the running config: %s", exc)
            return [str(exc)]
        with self.engine.begin() as conn:
            sync_feeds(conn, fresh.feeds, self.clock.now())
        for channel in self.channels.values():
            channel.close()
        self.channels = build_channels(fresh.channels)
        self.watchlists.reconfigure(fresh.watchlists.directory, set(fresh.channels))
        if (fresh.database, fresh.http, fresh.stories) != (
                self.settings.database, self.settings.http, self.settings.stories):
            log.warning("config reloaded; [database], [http] and [stories] changes need a restart")
        self.settings = fresh.model_copy(update={
            "database": self.settings.database, "http": self.settings.http, "stories": self.settings.stories})
        return [str(e) for e in self.watchlists.errors]

    def open_fetcher(self) -> HttpFetcher:
        """The one HTTP client; created inside the event loop that will use it."""
        if self.fetcher is None:
            self.fetcher = HttpFetcher(self.settings.http)
        return self.fetcher

    async def close_fetcher(self) -> None:
        """Close the HTTP client; the next `open_fetcher` builds one in the then-running loop."""
        if self.fetcher is not None:
            await self.fetcher.aclose()
            self.fetcher = None

    def close(self) -> None:
        """Close what is not bound to an event loop: channels and database connections."""
        for channel in self.channels.values():
            channel.close()
        self.engine.dispose()

    async def aclose(self) -> None:
        await self.close_fetcher()
        self.close()


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Open the database (migrating it), load models and watchlists, build channels."""
    clock = clock or SystemClock()
    engine = create_db_engine(settings.database.url)
    migrate(engine)
    with engine.begin() as conn:
        sync_feeds(conn, settings.feeds, clock.now())
        unblocked = retry_unblocked(conn, settings.http, now=clock.now())
    if unblocked:
        log.info("feeds the address guard refused are polled again: it allows them now",
                 extra={"feeds": len(unblocked)})
    embedder = load_embedder(settings.stories)
    watchlists = WatchlistSet(settings.watchlists.directory, set(settings.channels), embedder)
    for error in watchlists.errors:
        log.error("watchlist skipped: %s", error)
    owner = settings.service.instance_name or f"{socket.gethostname()}-{os.getpid()}"
    return App(
        settings=settings, clock=clock, engine=engine, embedder=embedder,
        stories=StoryEngine(settings.stories, embedder, clock), watchlists=watchlists,
        channels=build_channels(settings.channels), metrics=Metrics(instance=owner),
        owner=f"{owner}-{uuid.uuid4().hex[:6]}",  # unique even when a name is reused after a crash
    )
