from __future__ import annotations

from datetime import UTC, datetime

from monitor.net.headers import freshness_seconds, retry_after_seconds

NOW = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after_seconds({"retry-after": "120"}, NOW) == 120
    assert retry_after_seconds({"retry-after": "Thu, 01 Jan 2026 01:00:00 GMT"}, NOW) == 3600
    # Relative to the server's own clock when it sends Date.
    headers = {"retry-after": "Thu, 01 Jan 2026 01:00:00 GMT", "date": "Thu, 01 Jan 2026 00:30:00 GMT"}
    assert retry_after_seconds(headers, NOW) == 1800
    assert retry_after_seconds({"retry-after": "soon"}, NOW) is None
    assert retry_after_seconds({}, NOW) is None


def test_freshness_from_cache_control_then_expires() -> None:
    assert freshness_seconds({"cache-control": "public, max-age=600"}, NOW) == 600
    assert freshness_seconds({"cache-control": "no-cache, max-age=600"}, NOW) is None
    assert freshness_seconds({"expires": "Thu, 01 Jan 2026 00:20:00 GMT"}, NOW) == 1200
    assert freshness_seconds({"expires": "0"}, NOW) is None
    assert freshness_seconds({}, NOW) is None
