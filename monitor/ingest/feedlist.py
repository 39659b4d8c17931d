"""Managing the feed list by hand: status rows, add by URL (with autodiscovery), OPML in and out.

The `monitor feeds` commands are thin wrappers over these, so scripts and tests share one path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine

from monitor.errors import StorageError
from monitor.ingest.opml import export_opml, parse_opml
from monitor.ingest.subscribe import discover_feed
from monitor.models import Feed
from monitor.net.http import HttpFetcher
from monitor.storage.entries import PageFailures, page_failures
from monitor.storage.feeds import add_feed, feed_addresses, get_feed, list_feeds

# (done, total, name of the feed just handled): how `monitor feeds import` draws its progress line
ImportProgress = Callable[[int, int, str], None]


def feed_state(feed: Feed, pages: PageFailures | None = None) -> str:
    if not feed.enabled:
        return "disabled"
    if feed.error_count:
        return "failing"
    if feed.last_checked_at is None:
        return "new"
    return "warning" if feed.warning or pages else "ok"


def status_rows(engine: Engine, *, errors_only: bool = False) -> list[dict[str, Any]]:
    """One dict per feed: what `monitor feeds list` shows (and emits as JSON Lines).

    `errors_only` keeps feeds that fail, are disabled, or whose pages fail while the feed polls fine.
    """
    with engine.connect() as conn:
        feeds = list_feeds(conn)
        failures = page_failures(conn)
    rows = []
    for f in feeds:
        pages = failures.get(f.id)
        if errors_only and not (f.error_count or not f.enabled or pages):
            continue
        rows.append({
            "name": f.name, "url": f.url, "state": feed_state(f, pages), "tags": list(f.tags),
            "last_success": _iso(f.last_success_at), "last_checked": _iso(f.last_checked_at),
            "next_check": _iso(f.next_check_at), "error_count": f.error_count, "last_status": f.last_status,
            "last_error": f.last_error, "warning": f.warning, "disabled_reason": f.disabled_reason,
            "interval_seconds": f.interval_seconds or f.current_interval_seconds,
            "pages_failed": pages.failed if pages else 0, "pages_retrying": pages.retrying if pages else 0,
            "last_page_error": pages.last_error if pages else None,
        })
    return rows


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def url_key(url: str) -> str:
    """What makes two feed URLs the same feed: case of scheme and host, default port, a final
    slash and a fragment do not count."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    netloc = host if port in (None, {"http": 80, "https": 443}.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/") or "/", parts.query, ""))


def known_feed(engine: Engine, *urls: str) -> str | None:
    """The name of the stored feed at any of `urls` (its URL now, or the one the config gave)."""
    wanted = {url_key(u) for u in urls if u}
    with engine.connect() as conn:
        for address in feed_addresses(conn):
            if {url_key(address.url), url_key(address.config_url or "")} & wanted:
                return address.name
    return None


@dataclass(frozen=True)
class Subscription:
    feed: Feed
    via: str | None = None  # the HTML page it was discovered from, if any
    already: bool = False  # the feed was known: nothing was added


async def add_by_url(engine: Engine, fetcher: HttpFetcher, url: str, *, now: datetime, max_bytes: int,
                     name: str | None = None, tags: Sequence[str] = ()) -> Subscription:
    """Subscribe to `url` (a feed, or a page that links to one), unless it is a feed we have."""
    known = known_feed(engine, url)
    if known is None:
        found = await discover_feed(fetcher, url, max_bytes=max_bytes)
        known = known_feed(engine, found.url)
        if known is None:
            with engine.begin() as conn:
                feed = add_feed(conn, name=(name or found.title).strip()[:200], url=found.url, tags=tags,
                                now=now)
            return Subscription(feed, found.via)
        via = found.via
    else:
        via = None
    with engine.connect() as conn:
        existing = get_feed(conn, name=known)
    assert existing is not None
    return Subscription(existing, via, already=True)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "name: why"


def import_opml(engine: Engine, data: bytes, *, source: str, now: datetime,
                progress: ImportProgress | None = None) -> ImportReport:
    """Add the OPML's feeds; names or URLs already present are skipped, each with its reason."""
    report = ImportReport()
    with engine.begin() as conn:
        known_urls = {url_key(u) for a in feed_addresses(conn) for u in (a.url, a.config_url) if u}
    items = parse_opml(data, source=source)
    for done, item in enumerate(items, start=1):
        if progress is not None:
            progress(done, len(items), item.name)
        if url_key(item.url) in known_urls:
            report.skipped.append(f"{item.name}: already subscribed ({item.url})")
            continue
        try:
            with engine.begin() as conn:
                add_feed(conn, name=item.name, url=item.url, tags=item.tags, now=now)
        except StorageError as exc:
            report.skipped.append(f"{item.name}: {exc}")
            continue
        known_urls.add(url_key(item.url))
        report.added.append(item.name)
    return report


def export_all(engine: Engine, *, now: datetime, include_disabled: bool = False) -> str:
    with engine.connect() as conn:
        feeds = [f for f in list_feeds(conn) if include_disabled or f.enabled]
    return export_opml(feeds, title="news-monitor feeds", now=now)
