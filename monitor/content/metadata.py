"""What the page's markup says about the article: language, canonical link and publication time.

These are read from the parsed tree before trafilatura runs, because trafilatura's own metadata
keeps only the date (not the time) and does not expose the `<html lang>` attribute.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from htmldate import find_date
from lxml.html import HtmlElement

from monitor.content.language import normalize_lang

# Meta tags that carry the first publication time, most specific first.
_DATE_META = (
    "article:published_time", "og:published_time", "datepublished", "article.published", "pubdate",
    "publishdate", "publish-date", "publish_date", "sailthru.date", "parsely-pub-date", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.created", "date", "cxenseparse:recs:publishtime",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


def html_language(tree: HtmlElement) -> str | None:
    """The language the page declares: `<html lang>`, else content-language or og:locale metas."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')"
                             "='content-language']/@content")
    candidates += tree.xpath("//meta[@property='og:locale']/@content")
    for value in candidates:
        code = normalize_lang(value)
        if code:
            return code
    return None


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 or RFC 2822 time as an aware UTC datetime; naive times are taken as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", value)
                                        else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _meta_dates(tree: HtmlElement) -> list[str]:
    found: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _DATE_META and key not in found:
            found[key] = meta.get("content")
    return [found[key] for key in _DATE_META if key in found]


def published_time(tree: HtmlElement) -> datetime | None:
    """First publication time declared in metas, JSON-LD or `<time itemprop=datePublished>`."""
    candidates = _meta_dates(tree)
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        candidates += _JSONLD_DATE.findall(script)
    candidates += tree.xpath("//time[@itemprop='datePublished']/@datetime")
    candidates += tree.xpath("//*[@itemprop='datePublished']/@content")
    for value in candidates:
        parsed = parse_datetime(value)
        if parsed is not None:
            return parsed
    return None


def date_only(value: str | None) -> datetime | None:
    """A 'YYYY-MM-DD' date as midnight UTC."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def page_date(tree: HtmlElement, url: str) -> datetime | None:
    """The publication date htmldate reads off the page or its URL (quick search), as midnight UTC.

    The same search trafilatura's metadata pass ran; called only when no time is declared or given.
    """
    with warnings.catch_warnings():
        # htmldate hands page dates with zone names like "CST" to dateutil, which warns; we keep UTC.
        warnings.filterwarnings("ignore", message=r"tzname .* identified but not understood")
        found = find_date(tree, extensive_search=False, original_date=True, url=url)
    return date_only(found if isinstance(found, str) else None)


