"""content.fetch: an entry's URL -> Page, through the one shared, capped, guarded HTTP client."""

from __future__ import annotations

from monitor.errors import FetchError
from monitor.models import Page
from monitor.net.http import HttpFetcher


async def fetch_page(fetcher: HttpFetcher, url: str, *, max_bytes: int | None = None) -> Page:
    """Fetch an article page; any non-2xx answer is a FetchError naming the URL."""
    response = await fetcher.get(url, max_bytes=max_bytes)
    if not 200 <= response.status < 300:
        raise FetchError(url, f"HTTP {response.status}", status=response.status)
    return Page(url=response.url, requested_url=url, status=response.status,
                content_type=response.content_type, body=response.body, charset=response.charset)
