"""content.fetch: an entry's URL -> Page, through the one shared, capped, guarded HTTP client."""

from __future__ import annotations

from email.message import Message

from monitor.errors import FetchError
from monitor.models import Page
from monitor.net.http import HttpFetcher


async def fetch_page(fetcher: HttpFetcher, url: str, *, max_bytes: int | None = None) -> Page:
    """Fetch an article page; any non-2xx answer is a FetchError naming the URL."""
    response = await fetcher.get(url, max_bytes=max_bytes)
    if not 200 <= response.status < 300:
        raise FetchError(url, f"HTTP {response.status}", status=response.status)
    content_type = response.headers.get("content-type", "")
    return Page(
        url=response.url, requested_url=url, status=response.status,
        content_type=content_type.split(";")[0].strip().lower(), body=response.body,
        charset=_charset(content_type),
    )


def _charset(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type or "application/octet-stream"
    charset = message.get_param("charset")
    return charset.strip().lower() if isinstance(charset, str) and charset.strip() else None
