"""Watchlist files -> compiled watchlists. A broken file is reported (file, key, line) and skipped.

`WatchlistSet` keeps a folder current while the daemon runs; `load_watchlists` loads one once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import ConfigError
from monitor.watch.model import Watchlist
from monitor.watch.watchfile import WatchlistFileError, load_watchlist_text

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder
    from monitor.watch.about import AboutCalibrator

log = logging.getLogger(__name__)


def load_watchlists(directory: Path, *, channels: set[str] | None,
                    embedder: Embedder | None = None) -> tuple[list[Watchlist], list[ConfigError]]:
    """Every `*.toml` in `directory`, sorted by file name; errors for the files that were skipped.

    `channels` are the channel names the main config defines (None: do not check, as in `monitor match`).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [], [ConfigError("watchlist folder does not exist", file=str(directory))]
    watchlists = WatchlistSet(directory, channels, embedder)
    return watchlists.current(), watchlists.errors


def _watchlist_files(directory: Path) -> list[Path]:
    """`*.toml` files, sorted; hidden ones (editor locks and temporary files) are not watchlists."""
    return sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))


@dataclass
class _FileState:
    digest: str  # of the bytes last read; "" when unreadable (read again next time)
    watchlist: Watchlist | None  # the last good version, if any
    errors: list[ConfigError]


class WatchlistSet:
    """The watchlists of a folder, kept current while the daemon runs.

    A changed file (by content hash) is reloaded; a broken one keeps its last good version (as long
    as the channels it names exist) and its errors are returned and logged; a deleted one is dropped.
    Of several files with the same watchlist name the first (by file name) is in force. The folder is
    read at construction (`errors` then lists what was skipped; the caller reports them).
    """

    def __init__(self, directory: Path, channels: set[str] | None, embedder: Embedder | None) -> None:
        self.directory = Path(directory)
        self.channels = channels
        self._embedder = embedder
        self._about: AboutCalibrator | None = None  # built for the first `about` list
        self._files: dict[Path, _FileState] = {}
        self._duplicates: dict[Path, ConfigError] = {}  # files whose name an earlier file already uses
        self._scan(report=False)

    def _calibrator(self) -> AboutCalibrator | None:
        """The `about` lists' calibrator (None without an embedder); made on first use, as it needs numpy."""
        if self._about is None and self._embedder is not None:
            from monitor.watch.about import AboutCalibrator

            self._about = AboutCalibrator(self._embedder)
        return self._about

    @property
    def errors(self) -> list[ConfigError]:
        """The problems of every file as it is now (a fixed file's errors go away)."""
        out: list[ConfigError] = []
        for path in sorted(self._files):
            out.extend(self._files[path].errors)
            if path in self._duplicates:
                out.append(self._duplicates[path])
        return out

    def current(self) -> list[Watchlist]:
        return [state.watchlist for path, state in sorted(self._files.items())
                if state.watchlist is not None and path not in self._duplicates]

    def reload_if_changed(self) -> list[ConfigError]:
        """Reload the files that changed, drop deleted ones; logs and returns the new errors."""
        return self._scan(report=True)

    def reconfigure(self, directory: Path, channels: set[str] | None) -> list[ConfigError]:
        """A reloaded main config (SIGHUP): logs and returns the new errors, like `reload_if_changed`.

        Another folder is read from scratch. In the same folder every file keeps its last good
        version and the embedded descriptions; when the channels changed, the files they may affect
        (broken ones, and those naming a channel that is gone) are checked again.
        """
        directory = Path(directory)
        if directory != self.directory:
            log.info("watchlist folder changed from=%s to=%s", self.directory, directory)
            self.directory, self._files, self._duplicates = directory, {}, {}
        elif channels != self.channels:
            for state in self._files.values():
                if state.errors or not self._channels_known(state.watchlist, channels):
                    state.digest = ""  # read again
        self.channels = channels
        return self._scan(report=True)

    @staticmethod
    def _channels_known(watchlist: Watchlist | None, channels: set[str] | None) -> bool:
        return watchlist is None or channels is None or set(watchlist.channels) <= channels

    def _scan(self, *, report: bool) -> list[ConfigError]:
        """The errors of the files (re)loaded now, and duplicate names that are new."""
        paths = set(_watchlist_files(self.directory)) if self.directory.is_dir() else set()
        for path in sorted(set(self._files) - paths):
            if report:
                log.info("watchlist removed file=%s", path)
            del self._files[path]
        new_errors: list[ConfigError] = []
        for path in sorted(paths):
            state = self._refresh(path, self._files.get(path), report=report)
            if state is not None:
                self._files[path] = state
                new_errors.extend(state.errors)
        new_errors.extend(self._update_duplicates(report=report))
        return new_errors

    def _refresh(self, path: Path, old: _FileState | None, *, report: bool) -> _FileState | None:
        """The file's new state, or None when its content is unchanged."""
        try:
            data = path.read_bytes()
        except OSError as exc:  # unreadable, or removed since the glob (then dropped next time)
            return self._failed(path, [ConfigError(f"cannot read: {exc.strerror}", file=str(path))], "",
                                old, report=report)
        digest = hashlib.sha256(data).hexdigest()
        if old is not None and old.digest == digest:
            return None
        try:
            watchlist = load_watchlist_text(path, data.decode("utf-8"), channels=self.channels,
                                            calibrator=self._calibrator)
        except UnicodeDecodeError:
            return self._failed(path, [ConfigError("not UTF-8 text", file=str(path))], digest, old,
                                report=report)
        except WatchlistFileError as exc:
            return self._failed(path, exc.errors, digest, old, report=report)
        if report:
            log.info("watchlist loaded name=%s file=%s", watchlist.name, path)
        return _FileState(digest, watchlist, [])

    def _failed(self, path: Path, errors: list[ConfigError], digest: str, old: _FileState | None, *,
                report: bool) -> _FileState:
        kept = old.watchlist if old is not None else None
        if not self._channels_known(kept, self.channels):  # it names a channel that is gone
            kept = None
        if report:
            outcome = "keeping the last good version" if kept else "not loaded"
            for error in errors:
                log.error("watchlist error (%s): %s", outcome, error)
        return _FileState(digest, kept, errors)

    def _update_duplicates(self, *, report: bool) -> list[ConfigError]:
        """Find the files whose watchlist name an earlier file uses; returns the new such errors."""
        owner: dict[str, Path] = {}
        found: dict[Path, ConfigError] = {}
        for path, state in sorted(self._files.items()):
            if state.watchlist is None:
                continue
            name = state.watchlist.name
            if name in owner:
                found[path] = ConfigError(f"duplicate watchlist name {name!r} (also in {owner[name].name})",
                                          file=str(path), key="name")
            else:
                owner[name] = path
        new = [e for path, e in found.items() if str(self._duplicates.get(path)) != str(e)]
        self._duplicates = found
        if report:
            for error in new:
                log.error("watchlist not in force: %s", error)
        return new
