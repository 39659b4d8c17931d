"""Feed autodiscovery: the `<link rel="alternate" type="...rss/atom...">` links of an HTML page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/feed+json", "application/json+feed", "application/xml", "text/xml",
})


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag != "link":
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append(values["href"].strip())


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<html" in head or "<head" in head


def find_alternates(html: str, page_url: str, *, limit: int = 20) -> tuple[str, ...]:
    """Absolute http(s) feed URLs the page advertises, in page order, without duplicates."""
    collector = _LinkCollector()
    try:
        collector.feed(html[:2_000_000])
        collector.close()
    except (AssertionError, ValueError):  # html.parser gives up on some garbage; keep what we found
        pass
    base = urljoin(page_url, collector.base) if collector.base else page_url
    found: list[str] = []
    for href in collector.links:
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
    return tuple(found[:limit])
