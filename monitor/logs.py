"""Logging for people (a line of text) and for log shippers (one JSON object per line).

Call sites log a fixed message and pass ids as fields, so both formats carry them:

    log.warning("feed poll failed", extra={"feed_id": 7, "url": url, "error": str(exc)})

Secrets never reach the output: fields whose name says password/secret/token/key/authorization are
masked, and a password inside a URL (`scheme://user:pass@host`) is masked wherever it appears.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api_?key|authorization|credential|cookie", re.I)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+(?P<at>@)", re.I)
MASK = "***"


def redact_text(text: str) -> str:
    """`postgresql://monitor:hunter2@db/x` -> `postgresql://monitor:***@db/x`."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['at']}", text)


def redact_field(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {str(k): redact_field(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_field(key, v) for v in value]
    return value


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record, masked."""
    return {k: redact_field(k, v) for k, v in vars(record).items()
            if k not in _RECORD_ATTRS and not k.startswith("_")}


def _timestamp(record: logging.LogRecord) -> str:
    when = datetime.fromtimestamp(record.created, UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, then the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact_text(record.getMessage()),
        }
        for key, value in extra_fields(record).items():
            line.setdefault(key, value)  # a field may not overwrite the fixed keys
        if record.exc_info:
            line["exc"] = redact_text(self.formatException(record.exc_info))
        return jsonlib.dumps(line, ensure_ascii=False, default=str)


class HumanFormatter(logging.Formatter):
    """`2026-01-01T00:00:00.000Z WARNING monitor.ingest: feed poll failed feed_id=7 error="timeout"`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={_human_value(v)}" for k, v in extra_fields(record).items())
        text = f"{_timestamp(record)} {record.levelname} {record.name}: {redact_text(record.getMessage())}"
        if fields:
            text = f"{text} {fields}"
        if record.exc_info:
            text = f"{text}\n{redact_text(self.formatException(record.exc_info))}"
        return text


def _human_value(value: Any) -> str:
    if isinstance(value, str) and (not value or any(c.isspace() or c in "\"=" for c in value)):
        return jsonlib.dumps(value, ensure_ascii=False)
    return str(value)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record is emitted, not when logging was set up:
    a CLI call inside a test (or a redirected stderr) must not leave threads writing to a closed file.
    """

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def configure_logging(json: bool = False, level: int | str = "INFO", stream: IO[str] | None = None) -> None:
    """Send all logs to `stream` (stderr) as JSON lines or human lines; replaces earlier handlers."""
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(JsonFormatter() if json else HumanFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # Libraries that log each request at INFO would drown the service's own lines.
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
