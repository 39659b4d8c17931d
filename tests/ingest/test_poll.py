from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from monitor.ingest.poll import permanent_target, poll_feed
from monitor.models import Feed, PollResult
from monitor.net.http import HttpFetcher
from tests.faults.feeds import rss_bytes
from tests.faults.harness import TEST_HTTP
from tests.faults.server import FaultServer

NOW = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def poll(feed: Feed) -> PollResult:
    async def run() -> PollResult:
        fetcher = HttpFetcher(TEST_HTTP)
        try:
            return await poll_feed(fetcher, feed, max_bytes=1_000_000, now=NOW)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def test_permanent_target_follows_only_the_leading_permanent_hops() -> None:
    assert permanent_target(((301, "https://a/"), (308, "https://b/"))) == "https://b/"
    assert permanent_target(((301, "https://a/"), (302, "https://tmp/"), (301, "https://c/"))) == "https://a/"
    assert permanent_target(((302, "https://tmp/"), (301, "https://c/"))) is None
    assert permanent_target(()) is None


def test_freshness_hints_and_validators(fault_server: FaultServer) -> None:
    fault_server.routes["/maxage"] = lambda r: r.respond(
        200, rss_bytes(), {"Cache-Control": "public, max-age=1800", "ETag": '"x"'})
    fault_server.routes["/expires"] = lambda r: r.respond(
        200, rss_bytes(), {"Date": "Thu, 01 Jan 2026 00:00:00 GMT",
                           "Expires": "Thu, 01 Jan 2026 02:00:00 GMT",
                           "Last-Modified": "Wed, 31 Dec 2025 00:00:00 GMT"})
    maxage = poll(Feed(1, "m", fault_server.url("/maxage")))
    assert maxage.ok and maxage.retry_after_seconds == 1800 and maxage.etag == '"x"'
    expires = poll(Feed(2, "e", fault_server.url("/expires")))
    assert expires.retry_after_seconds == 7200 and expires.last_modified == "Wed, 31 Dec 2025 00:00:00 GMT"


def test_poll_never_raises(fault_server: FaultServer) -> None:
    broken = poll(Feed(1, "bad", "http://127.0.0.1:1/nothing-listens-here"))
    assert broken.error == "connection refused" and broken.status is None and not broken.ok
    invalid = poll(Feed(2, "bad", "not a url at all"))
    assert invalid.error and not invalid.ok


def test_304_keeps_the_validators_that_were_sent(fault_server: FaultServer) -> None:
    fault_server.routes["/same"] = lambda r: r.respond(304, content_type=None)
    result = poll(Feed(1, "s", fault_server.url("/same"), etag='"v7"',
                       last_modified="Tue, 01 Jan 2026 00:00:00 GMT"))
    assert result.not_modified and result.body is None
    assert (result.etag, result.last_modified) == ('"v7"', "Tue, 01 Jan 2026 00:00:00 GMT")
    assert fault_server.requests_to("/same")[0]["if-none-match"] == '"v7"'


def test_retry_after_and_expires_without_date(fault_server: FaultServer) -> None:
    # Error statuses arrive as FetchError, whose retry_after is the hint; Expires without Date uses `now`.
    fault_server.routes["/busy"] = lambda r: r.respond(429, b"", {"Retry-After": "120"})
    fault_server.routes["/nodate"] = lambda r: r.respond(
        200, rss_bytes(), {"Expires": "Thu, 01 Jan 2026 00:30:00 GMT"})
    busy = poll(Feed(1, "b", fault_server.url("/busy")))
    assert busy.status == 429 and busy.error and busy.retry_after_seconds == 120
    nodate = poll(Feed(2, "n", fault_server.url("/nodate")))
    assert nodate.ok and nodate.retry_after_seconds == 1800


def test_result_carries_the_content_type_charset(fault_server: FaultServer) -> None:
    fault_server.routes["/koi8"] = lambda r: r.respond(
        200, rss_bytes(), content_type='application/rss+xml; charset="KOI8-R"')
    fault_server.routes["/plain"] = lambda r: r.respond(200, rss_bytes(), content_type="application/rss+xml")
    assert poll(Feed(1, "k", fault_server.url("/koi8"))).charset == "KOI8-R"
    assert poll(Feed(2, "p", fault_server.url("/plain"))).charset is None
