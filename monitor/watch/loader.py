"""Watchlist files -> compiled watchlists. A broken file is reported (file, key, line) and skipped.

`load_watchlists` loads a folder once; `WatchlistSet` keeps it current while the daemon runs.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import ConfigError
from monitor.watch.about import AboutCalibrator
from monitor.watch.model import Watchlist
from monitor.watch.watchfile import WatchlistFileError, load_watchlist_text

if TYPE_CHECKING:
    from monitor.clock import Clock
    from monitor.stories.embedding import Embedder

log = logging.getLogger(__name__)


def load_watchlists(directory: Path, *, channels: set[str] | None,
                    embedder: Embedder | None = None) -> tuple[list[Watchlist], list[ConfigError]]:
    """Every `*.toml` in `directory`, sorted by file name; errors for the files that were skipped.

    `channels` are the channel names the main config defines (None: do not check, as in `monitor match`).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [], [ConfigError("watchlist folder does not exist", file=str(directory))]
    calibrator = AboutCalibrator(embedder) if embedder is not None else None
    loaded: list[Watchlist] = []
    errors: list[ConfigError] = []
    names: set[str] = set()
    for path in _watchlist_files(directory):
        try:
            watchlist = load_watchlist_text(path, path.read_text(encoding="utf-8"),
                                            channels=channels, calibrator=calibrator)
        except OSError as exc:
            errors.append(ConfigError(f"cannot read: {exc.strerror}", file=str(path)))
            continue
        except WatchlistFileError as exc:
            errors.extend(exc.errors)
            continue
        if watchlist.name in names:
            errors.append(ConfigError(f"duplicate watchlist name {watchlist.name!r}", file=str(path),
                                      key="name"))
            continue
        names.add(watchlist.name)
        loaded.append(watchlist)
    return loaded, errors


def _watchlist_files(directory: Path) -> list[Path]:
    """`*.toml` files, sorted; hidden ones (editor locks and temporary files) are not watchlists."""
    return sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))


@dataclass
class _FileState:
    digest: str
    watchlist: Watchlist | None  # the last good version, if any
    errors: list[ConfigError]
    loaded_at: datetime


class WatchlistSet:
    """The watchlists of a folder, kept current while the daemon runs.

    A changed file (by content hash) is reloaded; a broken one keeps its last good version and its
    errors are returned and logged; a deleted one is dropped. The folder is read at construction
    (`errors` then lists what was skipped).
    """

    def __init__(self, directory: Path, channels: set[str] | None, embedder: Embedder | None,
                 clock: Clock) -> None:
        self.directory = Path(directory)
        self.channels = channels
        self.clock = clock
        self._calibrator = AboutCalibrator(embedder) if embedder is not None else None
        self._files: dict[Path, _FileState] = {}
        self.reload_if_changed()

    @property
    def errors(self) -> list[ConfigError]:
        """The problems of every file as it is now (a fixed file's errors go away)."""
        return [e for state in self._files.values() for e in state.errors]

    def status(self) -> list[dict[str, object]]:
        """Per file: the watchlist in force, when it was loaded, and its current errors (status pages)."""
        return [{"file": str(path), "name": state.watchlist.name if state.watchlist else None,
                 "loaded_at": state.loaded_at, "errors": [str(e) for e in state.errors]}
                for path, state in sorted(self._files.items())]

    def current(self) -> list[Watchlist]:
        out: list[Watchlist] = []
        names: set[str] = set()
        for path in sorted(self._files):
            watchlist = self._files[path].watchlist
            if watchlist is not None and watchlist.name not in names:
                names.add(watchlist.name)
                out.append(watchlist)
        return out

    def reload_if_changed(self) -> list[ConfigError]:
        """Reload the files that changed, drop deleted ones; returns the errors of the reloaded files."""
        paths = set(_watchlist_files(self.directory)) if self.directory.is_dir() else set()
        for path in set(self._files) - paths:
            log.info("watchlist removed file=%s", path)
            del self._files[path]
        new_errors: list[ConfigError] = []
        for path in sorted(paths):
            try:
                data = path.read_bytes()
            except OSError as exc:  # e.g. removed between glob and read
                log.warning("watchlist unreadable file=%s error=%s", path, exc)
                continue
            digest = hashlib.sha256(data).hexdigest()
            old = self._files.get(path)
            if old is not None and old.digest == digest:
                continue
            state = self._load(path, data, digest, old)
            self._files[path] = state
            new_errors.extend(state.errors)
        new_errors.extend(self._check_duplicate_names())
        return new_errors

    def _load(self, path: Path, data: bytes, digest: str, old: _FileState | None) -> _FileState:
        now = self.clock.now()
        try:
            watchlist = load_watchlist_text(path, data.decode("utf-8"), channels=self.channels,
                                            calibrator=self._calibrator)
        except UnicodeDecodeError:
            errors = [ConfigError("not UTF-8 text", file=str(path))]
        except WatchlistFileError as exc:
            errors = exc.errors
        else:
            log.info("watchlist loaded name=%s file=%s", watchlist.name, path)
            return _FileState(digest, watchlist, [], now)
        for error in errors:
            log.error("watchlist error (keeping the last good version): %s", error)
        return _FileState(digest, old.watchlist if old else None, errors, old.loaded_at if old else now)

    def _check_duplicate_names(self) -> list[ConfigError]:
        found: list[ConfigError] = []
        owner: dict[str, Path] = {}
        for path in sorted(self._files):
            state = self._files[path]
            state.errors = [e for e in state.errors if e.key != "name" or "duplicate" not in str(e)]
            if state.watchlist is None:
                continue
            name = state.watchlist.name
            if name in owner:
                error = ConfigError(f"duplicate watchlist name {name!r} (also in {owner[name].name})",
                                    file=str(path), key="name")
                state.errors.append(error)
                found.append(error)
            else:
                owner[name] = path
        return found
