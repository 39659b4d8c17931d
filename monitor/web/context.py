"""What the web console needs, in one frozen value: built from the daemon's shared parts, or on its own.

The console reads the database through the repository functions of `monitor.storage` and changes
state only through the same functions the CLI uses; it holds no client or setting of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from monitor.clock import Clock, SystemClock
from monitor.service.metrics import Metrics
from monitor.stories.embedders import LazyEmbedder
from monitor.watch.loader import WatchlistSet

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitor.config import Settings
    from monitor.errors import ConfigError
    from monitor.jobs.pipeline import Shared
    from monitor.stories.embedding import Embedder
    from monitor.watch.model import Watchlist


class WatchlistSource(Protocol):
    """The watchlists in force and the files that did not load (`WatchlistSet` fits)."""

    def current(self) -> list[Watchlist]: ...

    @property
    def errors(self) -> list[ConfigError]: ...


@dataclass(frozen=True)
class ConsoleContext:
    settings: Settings
    engine: Engine
    clock: Clock
    metrics: Metrics
    watchlists: WatchlistSource
    embedder: Embedder | None  # for the tester's `about`; None: `about` cannot be tried

    @classmethod
    def for_daemon(cls, settings: Settings, shared: Shared) -> ConsoleContext:
        """The daemon's console: its watchlists (reloaded by the match job), model and metrics."""
        return cls(settings=settings, engine=shared.db, clock=shared.clock, metrics=shared.metrics,
                   watchlists=shared.watchlists, embedder=shared.embedder)


class FolderWatchlists:
    """The watchlist folder for `monitor web` on its own: re-read (when changed) at each look."""

    def __init__(self, watchlists: WatchlistSet) -> None:
        self._set = watchlists
        self._lock = threading.Lock()  # requests are served from several threads

    def current(self) -> list[Watchlist]:
        with self._lock:
            self._set.reload_if_changed()
            return self._set.current()

    @property
    def errors(self) -> list[ConfigError]:
        with self._lock:
            return self._set.errors


def standalone_context(settings: Settings, engine: Engine, *, clock: Clock | None = None) -> ConsoleContext:
    """`monitor web` without the daemon: the model is loaded only if an `about` needs it."""
    embedder = LazyEmbedder(settings.stories)
    watchlists = WatchlistSet(settings.watchlists.directory, set(settings.channels), embedder)
    return ConsoleContext(settings=settings, engine=engine, clock=clock or SystemClock(), metrics=Metrics(),
                          watchlists=FolderWatchlists(watchlists), embedder=embedder)
