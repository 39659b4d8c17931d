"""Subscribing to a URL a person typed: the feed itself, or the feed its page advertises."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import FetchError
from monitor.ingest.opml import default_name
from monitor.ingest.parse import parse_feed
from monitor.net.http import HttpFetcher

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str  # the feed's own URL (after redirects)
    title: str
    entries: int
    via: str | None = None  # the HTML page it was discovered from, if any


async def discover_feed(fetcher: HttpFetcher, url: str, *, max_bytes: int) -> DiscoveredFeed:
    """Fetch `url`; a feed is returned as is, an HTML page by its first working feed link.

    Raises FetchError (with the reason) when neither works.
    """
    response = await fetcher.get(url, headers={"Accept": FEED_ACCEPT}, max_bytes=max_bytes)
    parsed = parse_feed(response.body, response.url, charset=response.charset)
    if parsed.is_feed:
        return DiscoveredFeed(response.url, parsed.title or default_name(response.url), len(parsed.entries))
    problems = []
    for alternate in parsed.alternates:
        try:
            feed = await fetcher.get(alternate, headers={"Accept": FEED_ACCEPT}, max_bytes=max_bytes)
        except FetchError as exc:
            problems.append(f"{alternate}: {exc.reason}")
            continue
        found = parse_feed(feed.body, feed.url, charset=feed.charset)
        if found.is_feed:
            return DiscoveredFeed(feed.url, found.title or default_name(feed.url), len(found.entries),
                                  via=response.url)
        problems.append(f"{alternate}: {found.error}")
    reason = parsed.error or "not a feed"
    if problems:
        reason += "; " + "; ".join(problems)
    raise FetchError(url, reason)
