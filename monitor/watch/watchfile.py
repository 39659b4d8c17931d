"""One watchlist file -> a compiled Watchlist, or every problem in it as ConfigErrors (file, key, line)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from monitor.configfile import locate_key, toml_error
from monitor.configschema import schema_problems
from monitor.errors import ConfigError, QueryError
from monitor.watch.model import Watchlist, WeightedTerm
from monitor.watch.query import compile_query, literal_seq
from monitor.watch.query.compiler import SeqMatcher
from monitor.watch.spec import FIELDS_NEEDED, WatchlistSpec

if TYPE_CHECKING:
    from monitor.watch.about import AboutCalibrator


class WatchlistFileError(Exception):
    """All the problems found in one file (each a ConfigError naming file, key and line)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def load_watchlist_text(path: Path, text: str, *, channels: set[str] | None,
                        calibrator: Callable[[], AboutCalibrator | None]) -> Watchlist:
    """Validate and compile one watchlist file; raises WatchlistFileError listing every problem.

    `calibrator` is asked for only by a watchlist with `about` (it comes with numpy)."""
    file = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistFileError([toml_error(exc, file, text)]) from None
    try:
        spec = WatchlistSpec.model_validate(raw)
    except ValidationError as exc:
        raise WatchlistFileError(schema_problems(exc, WatchlistSpec, file, text)) from None
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
        about_calibrator = calibrator()
        if about_calibrator is None:
            errors.append(ConfigError("'about' needs an embedder (none configured here)", file=file,
                                      key="about", line=locate_key(text, ("about",))))
        else:
            about = about_calibrator.build(spec.about, spec.about_threshold)
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
