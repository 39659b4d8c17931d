"""Small builders, one per dependency: a command builds only what it uses.

`open_database` (engine, migrated, feeds synced with the config), `instance_owner` (this process's
name in leases), `build_watchlists`, `build_window`; channels come from `alerts.build_channels` and
the HTTP client from `net.HttpFetcher`. The model is never loaded here: `LazyEmbedder` loads it when
something first needs a vector. `jobs.pipeline` puts them together for `monitor once` and the daemon.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from monitor.clock import Clock
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.ingest.guard import retry_unblocked
from monitor.jobs.stories import WindowSlot
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds
from monitor.stories.lazy_embedder import LazyEmbedder
from monitor.watch.loader import WatchlistSet

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder
    from monitor.stories.window import StoryWindow

log = logging.getLogger(__name__)


def open_database(settings: Settings, clock: Clock) -> Engine:
    """The configured database, migrated, with the config's feed list written to it.

    The processes that deliver (`once`, the daemon) open it here: settings loaded without channel
    secrets are refused before anything runs (see `refuse_unresolved_channels`).
    """
    refuse_unresolved_channels(settings)
    engine = create_db_engine(settings.database.url)
    migrate(engine)
    with engine.begin() as conn:
        sync_feeds(conn, settings.feeds, clock.now())
        unblocked = retry_unblocked(conn, settings.http, now=clock.now())
    if unblocked:
        log.info("feeds the address guard refused are polled again: it allows them now",
                 extra={"feeds": len(unblocked)})
    return engine


def refuse_unresolved_channels(settings: Settings) -> None:
    """A channel whose `${NAME}` is not set cannot send (it would log in with the literal text)."""
    if settings.unresolved_channels:
        file = str(settings.source) if settings.source else None
        raise ConfigError.of([
            ConfigError(f"channel {name!r} needs {', '.join(names)}, which "
                        f"{'is' if len(names) == 1 else 'are'} not set in the environment",
                        file=file, key=f"channels.{name}")
            for name, names in settings.unresolved_channels.items()])


def instance_owner(settings: Settings) -> str:
    """This process's name in row leases: unique even when a configured name is reused after a crash."""
    name = settings.service.instance_name or f"{socket.gethostname()}-{os.getpid()}"
    return f"{name}-{uuid.uuid4().hex[:6]}"


def build_embedder(settings: Settings) -> LazyEmbedder:
    return LazyEmbedder(settings.stories)


def build_watchlists(settings: Settings, embedder: Embedder | None) -> WatchlistSet:
    """The watchlist folder, loaded; broken files are logged once and skipped."""
    watchlists = WatchlistSet(settings.watchlists.directory, set(settings.channels), embedder)
    for error in watchlists.errors:
        log.error("watchlist skipped: %s", error)
    return watchlists


def build_window(settings: Settings, embedder: Embedder, clock: Clock) -> WindowSlot:
    """The story window, built (and the model loaded) only when an article first needs placing."""

    def build() -> StoryWindow:
        from monitor.stories.window import StoryWindow  # the story engine: numpy, usearch

        return StoryWindow(settings.stories, embedder, clock)

    return WindowSlot(build)
