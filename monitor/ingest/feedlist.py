"""Managing the feed list by hand: status rows, add by URL (with autodiscovery), OPML in and out.

The `monitor feeds` commands are thin wrappers over these, so scripts and tests share one path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from monitor.errors import StorageError
from monitor.ingest.opml import export_opml, parse_opml
from monitor.ingest.subscribe import discover_feed
from monitor.models import Feed
from monitor.net.http import HttpFetcher
from monitor.storage.feeds import add_feed, list_feeds


def feed_state(feed: Feed) -> str:
    if not feed.enabled:
        return "disabled"
    if feed.error_count:
        return "failing"
    if feed.last_checked_at is None:
        return "new"
    return "warning" if feed.warning else "ok"


def status_rows(engine: Engine, *, errors_only: bool = False) -> list[dict[str, Any]]:
    """One dict per feed: what `monitor feeds list` shows (and emits as JSON Lines)."""
    with engine.connect() as conn:
        feeds = list_feeds(conn, errors_only=errors_only)
    return [
        {
            "name": f.name, "url": f.url, "state": feed_state(f), "tags": list(f.tags),
            "last_success": _iso(f.last_success_at), "last_checked": _iso(f.last_checked_at),
            "next_check": _iso(f.next_check_at), "error_count": f.error_count, "last_status": f.last_status,
            "last_error": f.last_error, "warning": f.warning, "disabled_reason": f.disabled_reason,
            "interval_seconds": f.interval_seconds or f.current_interval_seconds,
        }
        for f in feeds
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def add_by_url(engine: Engine, fetcher: HttpFetcher, url: str, *, now: datetime, max_bytes: int,
                     name: str | None = None, tags: Sequence[str] = ()) -> tuple[Feed, str | None]:
    """Subscribe to `url` (a feed, or a page that links to one). Returns (feed, page it came via)."""
    found = await discover_feed(fetcher, url, max_bytes=max_bytes)
    with engine.begin() as conn:
        feed = add_feed(conn, name=(name or found.title).strip()[:200], url=found.url, tags=tags, now=now)
    return feed, found.via


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "name: why"


def import_opml(engine: Engine, data: bytes, *, source: str, now: datetime) -> ImportReport:
    """Add the OPML's feeds; names or URLs already present are skipped, each with its reason."""
    report = ImportReport()
    with engine.begin() as conn:
        known_urls = {f.url for f in list_feeds(conn)}
    for item in parse_opml(data, source=source):
        if item.url in known_urls:
            report.skipped.append(f"{item.name}: already subscribed ({item.url})")
            continue
        try:
            with engine.begin() as conn:
                add_feed(conn, name=item.name, url=item.url, tags=item.tags, now=now)
        except StorageError as exc:
            report.skipped.append(f"{item.name}: {exc}")
            continue
        known_urls.add(item.url)
        report.added.append(item.name)
    return report


def export_all(engine: Engine, *, now: datetime, include_disabled: bool = False) -> str:
    with engine.connect() as conn:
        feeds = [f for f in list_feeds(conn) if include_disabled or f.enabled]
    return export_opml(feeds, title="news-monitor feeds", now=now)
