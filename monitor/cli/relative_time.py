"""Times for people: "3 min ago", "in 12 min", "2 days ago". Machine output keeps ISO 8601."""

from __future__ import annotations

from datetime import datetime

_UNITS = ((86400 * 2, 86400, "days"), (5400, 3600, "h"), (90, 60, "min"), (0, 1, "s"))


def relative_time(when: datetime, now: datetime) -> str:
    """`when` as seen from `now`, rounded to the largest unit that fits."""
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    if size < 1:
        return "now"
    for threshold, unit, name in _UNITS:
        if size >= threshold:
            amount = f"{round(size / unit)} {name}"
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    raise AssertionError("unreachable: the last unit has no threshold")


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
