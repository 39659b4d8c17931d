"""One conditional GET of a feed -> PollResult. Never raises: failures become `error` words."""

from __future__ import annotations

import logging
from datetime import datetime

from monitor.errors import FetchError
from monitor.models import Feed, PollResult
from monitor.net.headers import freshness_seconds
from monitor.net.http import PERMANENT_REDIRECTS, HttpFetcher, HttpResponse

log = logging.getLogger(__name__)

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")

VALIDATORS = frozenset({"If-None-Match", "If-Modified-Since"})
UNCONDITIONAL_304 = ("HTTP 304 Not Modified to a request without validators (no ETag or Last-Modified "
                     "was sent): the server never sent the feed itself")


def conditional_headers(feed: Feed) -> dict[str, str]:
    headers = {"Accept": FEED_ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


async def poll_feed(fetcher: HttpFetcher, feed: Feed, *, max_bytes: int, now: datetime) -> PollResult:
    """GET the feed with its validators; `now` (from the clock) dates Expires when Date is missing."""
    headers = conditional_headers(feed)
    try:
        response = await fetcher.get(feed.url, headers=headers, max_bytes=max_bytes)
    except FetchError as exc:
        return PollResult(status=exc.status, url=feed.url, error=exc.reason,
                          retry_after_seconds=exc.retry_after)
    except Exception as exc:  # a bug or a library surprise must not stop the cycle
        log.exception("unexpected poll failure feed_id=%s url=%s", feed.id, feed.url)
        return PollResult(status=None, url=feed.url, error=f"unexpected error: {type(exc).__name__}: {exc}")
    if response.status == 304 and not VALIDATORS & headers.keys():
        # "Not modified" since what? We never had the feed: counting this as a healthy poll would
        # leave a feed that never delivers a single entry looking fine forever.
        return PollResult(status=304, url=response.url, error=UNCONDITIONAL_304)
    return _result(response, feed, now)


def _result(response: HttpResponse, feed: Feed, now: datetime) -> PollResult:
    # Only 2xx/304 get here: HttpFetcher raises for >= 400, with Retry-After in FetchError.retry_after.
    headers = response.headers
    return PollResult(
        status=response.status,
        body=None if response.status == 304 else response.body,
        url=response.url,
        # A 304 may omit validators; keep the ones we sent.
        etag=headers.get("etag") or feed.etag,
        last_modified=headers.get("last-modified") or feed.last_modified,
        retry_after_seconds=freshness_seconds(headers, now),
        permanent_redirect_to=permanent_target(response.redirects),
        charset=response.charset,
    )


def permanent_target(redirects: tuple[tuple[int, str], ...]) -> str | None:
    """Where the leading run of permanent redirects (301/308) ends; a temporary hop stops it."""
    target = None
    for status, location in redirects:
        if status not in PERMANENT_REDIRECTS:
            break
        target = location
    return target
