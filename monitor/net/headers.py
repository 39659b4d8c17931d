"""Reading the caching and retry hints of HTTP responses (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def media_type(content_type: str) -> str:
    """`text/html; charset=UTF-8` -> `text/html`."""
    return content_type.split(";", 1)[0].strip().lower()


def charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value, unquoted, if any."""
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def reference_time(headers: Mapping[str, str], now: datetime) -> datetime:
    """The server's Date when given (dates in its headers are relative to its clock), else now."""
    return parse_http_date(headers.get("date")) or now


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date relative to the server's Date."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, (when - reference_time(headers, now)).total_seconds())


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response says it stays fresh: Cache-Control max-age, else Expires."""
    cache_control = headers.get("cache-control") or ""
    if re.search(r"(?:^|,)\s*(?:no-cache|no-store)\b", cache_control, re.IGNORECASE):
        return None
    match = _MAX_AGE.search(cache_control)
    if match:
        return float(match.group(1))
    expires = parse_http_date(headers.get("expires"))
    if expires is None:
        return None
    return max(0.0, (expires - reference_time(headers, now)).total_seconds())
