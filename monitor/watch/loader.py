"""Watchlist files -> compiled watchlists. A broken file is reported (file, key, line) and skipped.

`load_watchlists` loads a folder once; `WatchlistSet` (in `watchset`) keeps it current while the
daemon runs.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from monitor.configfile import dotted, locate_key
from monitor.errors import ConfigError, QueryError
from monitor.watch.about import AboutCalibrator
from monitor.watch.model import Watchlist, WeightedTerm
from monitor.watch.query import compile_query, literal_seq
from monitor.watch.query.compiler import SeqMatcher
from monitor.watch.spec import FIELDS_NEEDED, WatchlistSpec

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
    for path in sorted(directory.glob("*.toml")):
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


class WatchlistFileError(Exception):
    """All the problems found in one file (each a ConfigError naming file, key and line)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def load_watchlist_text(path: Path, text: str, *, channels: set[str] | None,
                        calibrator: AboutCalibrator | None) -> Watchlist:
    """Validate and compile one watchlist file; raises WatchlistFileError listing every problem."""
    file = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistFileError([_toml_error(exc, file, text)]) from None
    try:
        spec = WatchlistSpec.model_validate(raw)
    except ValidationError as exc:
        raise WatchlistFileError([_schema_error(e, file, text) for e in exc.errors()]) from None
    errors: list[ConfigError] = []
    if not any(getattr(spec, key) for key in FIELDS_NEEDED):
        errors.append(ConfigError(f"a watchlist needs at least one of: {', '.join(FIELDS_NEEDED)}",
                                  file=file))
    for i, channel in enumerate(spec.channels):
        if channels is not None and channel not in channels:
            known = ", ".join(sorted(channels)) or "none defined"
            errors.append(ConfigError(f"unknown channel {channel!r} (channels: {known})", file=file,
                                      key=f"channels[{i}]", line=locate_key(text, ("channels",))))
    compiled = _compile(spec, file, text, errors)
    about = None
    if spec.about:
        if calibrator is None:
            errors.append(ConfigError("'about' needs an embedder (none configured here)", file=file,
                                      key="about", line=locate_key(text, ("about",))))
        elif not errors:  # embedding is the slow part: only for an otherwise valid file
            about = calibrator.build(spec.about, spec.about_threshold)
    if errors:
        raise WatchlistFileError(errors)
    terms, query, weighted, exclude = compiled
    return Watchlist(
        name=spec.name or path.stem, channels=tuple(spec.channels), delivery=spec.delivery, file=path,
        terms=terms, query=query, query_text=spec.query or "", weighted=weighted,
        threshold=spec.threshold, exclude=exclude, about=about, languages=frozenset(spec.languages),
        sources=frozenset(spec.sources), min_sources=spec.min_sources, min_languages=spec.min_languages,
    )


def _compile(spec: WatchlistSpec, file: str, text: str, errors: list[ConfigError]) -> tuple[Any, ...]:
    def literal(value: str, key: str, line: int | None) -> SeqMatcher | None:
        try:
            return SeqMatcher(literal_seq(value.strip().strip('"'), label=value))
        except QueryError as exc:
            errors.append(ConfigError(f"bad term: {exc}", file=file, key=key, line=line))
            return None

    def literals(key: str, values: list[str]) -> tuple[SeqMatcher, ...]:
        line = locate_key(text, (key,))
        found = (literal(v, f"{key}[{i}]", line) for i, v in enumerate(values))
        return tuple(m for m in found if m is not None)

    weighted = []
    for i, item in enumerate(spec.weighted):
        matcher = literal(item.term, f"weighted[{i}].term", locate_key(text, ("weighted", i, "term")))
        if matcher is not None:
            weighted.append(WeightedTerm(item.term, item.weight, matcher))
    query = None
    if spec.query is not None:
        try:
            query = compile_query(spec.query)
        except QueryError as exc:
            errors.append(_query_error(exc, file, text))
    return literals("terms", spec.terms), query, tuple(weighted), literals("exclude", spec.exclude)


def _query_error(exc: QueryError, file: str, text: str) -> ConfigError:
    line = locate_key(text, ("query",))
    where = ""
    if line is not None:
        raw_line = text.splitlines()[line - 1]
        start = raw_line.find(exc.query) if exc.query else -1
        if start >= 0:
            where = f" (line {line}, column {start + exc.column + 1} of the file)"
    return ConfigError(f"query does not parse{where}: {exc}", file=file, key="query", line=line)


def _toml_error(exc: tomllib.TOMLDecodeError, file: str, text: str) -> ConfigError:
    # Python 3.11's tomllib puts the position only into the message: "... (at line 3, column 9)"
    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", str(exc))
    message = str(exc)[:found.start()] if found else str(exc)
    line = None
    if found:
        line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
        if found.group(2):
            message += f" (column {found.group(2)})"
    return ConfigError(f"invalid TOML: {message}", file=file, line=line)


def _schema_error(error: Any, file: str, text: str) -> ConfigError:
    loc = tuple(error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        known = list(WatchlistSpec.model_fields) if len(loc) == 1 else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        message = "unknown key (a typo?)" + (f"; did you mean {close[0]!r}?" if close else "")
    return ConfigError(message, file=file, key=dotted(loc), line=locate_key(text, loc))


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
        paths = set(self.directory.glob("*.toml")) if self.directory.is_dir() else set()
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
