"""Feed bytes -> entries with stable keys (pure). feedparser gets bytes, never a URL.

Plain RSS 2.0 is read directly (plain_rss.py: the same fields, about four times faster), anything else by
feedparser. What the wild web sends is handled here: broken XML still yields the entries feedparser could
recover (with a warning), entity-expansion tricks are stripped before parsing, encodings are
normalised (charset.py), duplicate GUIDs collapse, huge feeds keep the newest entries, and an
HTML page yields the feed links it advertises instead of entries.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from monitor.ingest.discovery import find_alternates, looks_like_html
from monitor.ingest.feed_charset import decode_document, to_utf8_xml
from monitor.models import Entry

# A DOCTYPE with an internal subset that declares entities: billion laughs, XXE. Never needed by feeds.
_ENTITY_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_ENTITY_DECL = re.compile(r"<!ENTITY\b[^>]*>", re.IGNORECASE)
_EXTERNAL_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*\b(?:SYSTEM|PUBLIC)\b[^\[>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]{0,2000}>")
_SPACES = re.compile(r"\s+")
_SUMMARY_CHARS = 2000
_ITEM_START = re.compile(r"<(?:item|entry)[\s>/]", re.IGNORECASE)
_ITEM_END = re.compile(r"</(?:item|entry)\s*>", re.IGNORECASE)
_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[Entry, ...] = ()
    title: str = ""
    site_url: str | None = None
    ttl_seconds: int | None = None  # <ttl> or sy:updatePeriod/updateFrequency
    alternates: tuple[str, ...] = ()  # feed links found when the document is an HTML page
    warning: str | None = None  # the feed was usable but something was wrong with it
    error: str | None = None  # nothing usable came out of it
    total_entries: int = 0  # before de-duplication and the max_entries cut

    @property
    def is_feed(self) -> bool:
        return self.error is None


def entry_key(guid: str | None, url: str | None, title: str, content: str) -> str:
    """Stable identity: sha256 of the GUID, else the URL, else title + content."""
    if guid:
        basis = "guid:" + guid.strip()
    elif url:
        basis = "url:" + url.strip()
    else:
        basis = "text:" + title.strip() + "\n" + content.strip()
    return hashlib.sha256(basis.encode("utf-8", errors="replace")).hexdigest()


def parse_feed(body: bytes, url: str, *, max_entries: int = 500, charset: str | None = None) -> ParsedFeed:
    """Parse a feed document fetched from `url`; `charset` is the HTTP header's, if any."""
    if not body.strip():
        return ParsedFeed(error="empty response body (no feed)")
    text, warnings = _decode(body, charset)
    if looks_like_html(text) and not re.search(r"<(rss|feed|rdf:RDF)[\s>]", text[:4096]):
        return _html_page(text, url)
    text, total = _trim_items(text, max_entries)
    result = _read_xml(to_utf8_xml(text))
    raw_entries = list(result["entries"])
    if not raw_entries and not result.get("version"):
        if looks_like_html(text):
            return _html_page(text, url)
        reason = _bozo_reason(result) or "no RSS, Atom or RDF root element"
        return ParsedFeed(error=f"not a feed: {reason}", warning=_join(warnings))
    if result.get("bozo"):
        bozo = _bozo_reason(result)
        if bozo and not bozo.startswith("document declared as"):
            warnings.append(f"malformed XML ({bozo}); {len(raw_entries)} entries recovered")
    entries = _entries(raw_entries, url, max_entries, warnings, total=max(total, len(raw_entries)))
    feed = result.get("feed", {})
    return ParsedFeed(
        entries=entries,
        title=_clean(feed.get("title", ""))[:500],
        site_url=_http_url(feed.get("link"), url),
        ttl_seconds=_ttl_seconds(feed),
        warning=_join(warnings),
        total_entries=max(total, len(raw_entries)),
    )


def _read_xml(xml: bytes) -> Any:
    """feedparser's result for a UTF-8 document: plain RSS 2.0 read directly (plain_rss.py), the rest by
    feedparser itself."""
    import feedparser  # lxml and feedparser come with the first document, not with a cycle of 304s

    from monitor.ingest.plain_rss import read_plain_rss

    return read_plain_rss(xml) or feedparser.parse(
        io.BytesIO(xml), sanitize_html=False, resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"})


def _decode(body: bytes, charset: str | None) -> tuple[str, list[str]]:
    warnings: list[str] = []
    text, warning = decode_document(body, charset)
    if warning:
        warnings.append(warning)
    if _ENTITY_DECL.search(text):
        # Wherever they hide (after long comments, in a broken DOCTYPE), declarations go.
        text = _ENTITY_DECL.sub("", _ENTITY_DOCTYPE.sub("", text, count=1))
        warnings.append("removed a DOCTYPE declaring entities (entity expansion / XXE is refused)")
    elif _EXTERNAL_DOCTYPE.search(text[:65536]) and "<html" not in text[:65536].lower():
        text = _EXTERNAL_DOCTYPE.sub("", text, count=1)
    return text, warnings


def _trim_items(text: str, max_entries: int) -> tuple[str, int]:
    """Cut a huge feed down before parsing (feedparser costs ~0.1 ms per item): keep the first and
    last 2 x max_entries items, since feeds list newest first or, rarely, oldest first."""
    ends = [m.end() for m in _ITEM_END.finditer(text)]
    keep = 2 * max_entries
    first = _ITEM_START.search(text)
    if len(ends) <= 2 * keep or first is None or first.start() >= ends[0]:
        return text, len(ends)
    bounds = [first.start(), *ends]
    segments = [text[bounds[i]:bounds[i + 1]] for i in (*range(keep), *range(len(ends) - keep, len(ends)))]
    return text[:first.start()] + "".join(segments) + text[ends[-1]:], len(ends)


def _html_page(text: str, url: str) -> ParsedFeed:
    alternates = find_alternates(text, url)
    if alternates:
        return ParsedFeed(alternates=alternates,
                          error=f"not a feed: an HTML page that links to {len(alternates)} feed(s): "
                                + ", ".join(alternates[:3]))
    return ParsedFeed(error="not a feed: an HTML page without feed links")


def _entries(raw: list[Any], url: str, max_entries: int, warnings: list[str], *,
             total: int) -> tuple[Entry, ...]:
    seen: set[str] = set()
    entries: list[Entry] = []
    duplicates = 0
    for item in raw:
        entry = _entry(item, url)
        if not (entry.title or entry.url or entry.guid or entry.summary):
            continue  # an empty shell, e.g. the cut-off last item of a truncated feed
        if entry.key in seen:
            duplicates += 1
            continue
        seen.add(entry.key)
        entries.append(entry)
    if duplicates:
        warnings.append(f"{duplicates} duplicate entries collapsed")
    if len(entries) > max_entries:
        warnings.append(f"{total} entries; kept the newest {max_entries}")
        order = sorted(range(len(entries)), key=lambda i: (_timestamp(entries[i]), -i), reverse=True)
        keep = sorted(order[:max_entries])
        entries = [entries[i] for i in keep]
    return tuple(entries)


def _timestamp(entry: Entry) -> float:
    return entry.published.timestamp() if entry.published else float("-inf")


def _entry(item: Any, feed_url: str) -> Entry:
    title = _clean(item.get("title", ""))[:1000]
    link = _http_url(item.get("link"), feed_url)
    guid = (item.get("id") or "").strip()[:2000] or None
    content = item.get("summary", "") or ""
    if not content and item.get("content"):
        content = item["content"][0].get("value", "")
    summary = _clean(content)[:_SUMMARY_CHARS]
    return Entry(key=entry_key(guid, link, title, summary), url=link, title=title, summary=summary,
                 guid=guid, published=_published(item))


def _published(item: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = item.get(name)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _http_url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", value))).strip()


def _ttl_seconds(feed: Any) -> int | None:
    ttl = str(feed.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = _PERIODS.get(str(feed.get("sy_updateperiod", "")).strip().lower())
    if period is None:
        return None
    frequency = str(feed.get("sy_updatefrequency", "1")).strip()
    return period // max(1, int(frequency)) if frequency.isdigit() else period


def _bozo_reason(result: Any) -> str | None:
    exc = result.get("bozo_exception")
    if exc is None:
        return None
    text = str(getattr(exc, "getMessage", lambda: exc)()) or type(exc).__name__
    return text[:200]


def _join(warnings: list[str]) -> str | None:
    return "; ".join(warnings) or None
