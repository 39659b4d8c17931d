"""Reading TOML files so that errors can name the line: `${ENV}` substitution and key locations.

tomllib gives values, not positions; `locate_key` recovers the line of a key path by walking the
text's table headers, which is enough to point a person at the right place.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-.]+)\s*=""")


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, str(path), text) from exc


def toml_error(exc: tomllib.TOMLDecodeError, file: str, text: str) -> ConfigError:
    """A TOML syntax error as a ConfigError with its line (and column in the message)."""
    # Python 3.11's tomllib puts the position only into the message: "... (at line 3, column 9)"
    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", str(exc))
    message = str(exc)[:found.start()] if found else str(exc)
    line = None
    if found:
        line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
        if found.group(2):
            message += f" (column {found.group(2)})"
    return ConfigError(f"invalid TOML: {message}", file=file, line=line)


@dataclass
class EnvReferences:
    """What `substitute_env` found: variables that are not set, as problems or as kept references."""

    problems: list[ConfigError] = field(default_factory=list)
    kept: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)  # (location, variable name)


def substitute_env(value: Any, path: Path, text: str, found: EnvReferences,
                   keep_unset: Callable[[tuple[Any, ...]], bool] = lambda loc: False,
                   loc: tuple[Any, ...] = ()) -> Any:
    """Replace `${NAME}` in every string with the environment's value.

    A variable that is not set is a problem, unless `keep_unset(location)` lets the reference stay as
    it is (the text `${NAME}`, for a command that will not use that value); both go into `found`.
    The substituted values are secrets more often than not: they are never logged or echoed.
    """
    if isinstance(value, dict):
        return {k: substitute_env(v, path, text, found, keep_unset, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, path, text, found, keep_unset, (*loc, i)) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in os.environ:
            return os.environ[name]
        if keep_unset(loc):
            found.kept.append((loc, name))
        else:
            found.problems.append(ConfigError(f"environment variable {name} is not set", file=str(path),
                                              key=dotted(loc), line=locate_key(text, loc)))
        return match.group(0)

    return _ENV_REF.sub(replace, value)


def dotted(loc: Sequence[Any]) -> str:
    """("feeds", 2, "url") -> "feeds[2].url"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def locate_key(text: str, loc: Sequence[Any]) -> int | None:
    """Best-effort 1-based line of the key at `loc` (e.g. ("feeds", 2, "urll")) in TOML `text`."""
    want = [str(p) for p in loc if not isinstance(p, int)]
    indices = [p for p in loc if isinstance(p, int)]
    array_seen: dict[str, int] = {}
    table: list[str] = []
    table_index_ok = True
    best: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            table = [_unquote(p) for p in _split_dotted(header.group(2))]
            name = ".".join(table)
            table_index_ok = True
            if header.group(1) == "[[":
                array_seen[name] = array_seen.get(name, -1) + 1
                table_index_ok = not indices or array_seen[name] == indices[0]
            if table == want and table_index_ok:
                best = best or number
            continue
        key = _KEY.match(raw)
        if not key or not table_index_ok:
            continue
        full = table + [_unquote(p) for p in _split_dotted(key.group(1))]
        if full == want or (full == want[: len(full)] and len(full) > len(table)):
            return number
    return best


def _split_dotted(key: str) -> list[str]:
    return [p.strip() for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', key)]


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part
