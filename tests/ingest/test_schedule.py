from __future__ import annotations

import random
from datetime import UTC, datetime

from monitor.ingest.parse import ParsedFeed
from monitor.ingest.schedule import adaptive_interval, backoff_delay, plan_update
from monitor.ingest.settings import PollingSettings
from monitor.models import Feed, PollResult

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
S = PollingSettings(jitter_fraction=0.0)
FEED = Feed(id=1, name="f", url="https://x.example/feed")


def plan(feed: Feed, result: PollResult, parsed: ParsedFeed | None = None, new: int = 0,
         settings: PollingSettings = S):
    return plan_update(feed, result, parsed, new_entries=new, now=NOW, settings=settings,
                       rng=random.Random(1))


def delay(update) -> float:  # type: ignore[no-untyped-def]
    return (update.next_check_at - NOW).total_seconds()


def test_busy_feeds_speed_up_and_quiet_feeds_slow_down_within_bounds() -> None:
    interval = S.default_interval_seconds
    for _ in range(20):
        interval = adaptive_interval(Feed(1, "f", "u", current_interval_seconds=interval), 5, NOW, S)
    assert interval == S.min_interval_seconds
    for _ in range(40):
        interval = adaptive_interval(Feed(1, "f", "u", current_interval_seconds=interval), 0, NOW, S)
    assert interval == S.max_interval_seconds


def test_per_feed_override_is_used_as_is() -> None:
    feed = Feed(1, "f", "u", interval_seconds=600, current_interval_seconds=20000)
    assert adaptive_interval(feed, 0, NOW, S) == 600


def test_errors_back_off_exponentially_up_to_the_cap() -> None:
    delays = [backoff_delay(n, 900, S) for n in range(1, 10)]
    assert delays[:4] == [900, 1800, 3600, 7200]
    assert max(delays) == S.backoff_cap_seconds and delays[-1] == S.backoff_cap_seconds


def test_retry_after_is_honoured_but_capped() -> None:
    busy = PollResult(status=429, error="HTTP 429 Too Many Requests", retry_after_seconds=5000)
    assert delay(plan(FEED, busy)) == 5000
    forever = PollResult(status=503, error="HTTP 503", retry_after_seconds=10 * 86400)
    assert delay(plan(FEED, forever)) == S.backoff_cap_seconds


def test_jitter_never_brings_a_retry_before_retry_after() -> None:
    jittery = PollingSettings(jitter_fraction=0.5)
    busy = PollResult(status=429, error="HTTP 429", retry_after_seconds=3600)
    for seed in range(20):
        update = plan_update(FEED, busy, None, new_entries=0, now=NOW, settings=jittery,
                             rng=random.Random(seed))
        assert delay(update) >= 3600


def test_feed_hints_push_the_next_check_later_but_not_past_max() -> None:
    ok = PollResult(status=200, body=b"", retry_after_seconds=3600)
    assert delay(plan(FEED, ok, ParsedFeed())) == 3600
    ttl = ParsedFeed(ttl_seconds=7 * 86400)
    assert delay(plan(FEED, PollResult(status=200, body=b""), ttl)) == S.max_interval_seconds


def test_gone_disables_and_moved_updates_url() -> None:
    gone = plan(FEED, PollResult(status=410, error="HTTP 410 Gone"))
    assert gone.disable_reason is not None and "410 Gone" in gone.disable_reason
    moved = plan(FEED, PollResult(status=200, body=b"", permanent_redirect_to="https://y.example/feed"),
                 ParsedFeed())
    assert moved.new_url == "https://y.example/feed" and moved.error is None


def test_parse_error_counts_as_error_and_warning_does_not() -> None:
    html = plan(FEED, PollResult(status=200, body=b"<html>"), ParsedFeed(error="not a feed: an HTML page"))
    assert html.error == "not a feed: an HTML page"
    warned = plan(FEED, PollResult(status=200, body=b"x"), ParsedFeed(warning="malformed XML"), new=2)
    assert warned.error is None and warned.warning == "malformed XML" and warned.new_entries == 2


def test_polling_resumes_after_errors() -> None:
    failing = Feed(1, "f", "u", error_count=12)
    assert delay(plan(failing, PollResult(status=None, error="connection refused"))) == S.backoff_cap_seconds
    recovered = plan(failing, PollResult(status=200, body=b""), ParsedFeed())
    assert recovered.error is None and delay(recovered) <= S.max_interval_seconds


def test_a_feed_failing_max_errors_times_in_a_row_is_switched_off_with_its_last_error() -> None:
    settings = PollingSettings(jitter_fraction=0.0, max_errors=5)
    refused = PollResult(status=None, error="connection refused")
    assert plan(Feed(1, "f", "u", error_count=3), refused, settings=settings).disable_reason is None
    final = plan(Feed(1, "f", "u", error_count=4), refused, settings=settings)
    assert final.disable_reason == "5 failed polls in a row, the last: connection refused"
    never = PollingSettings(jitter_fraction=0.0, max_errors=0)
    assert plan(Feed(1, "f", "u", error_count=10_000), refused, settings=never).disable_reason is None
