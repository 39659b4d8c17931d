"""Quiet hours, digest periods and backoff as pure functions of time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.alerts import DeliverySettings, QuietHours, WatchlistDelivery
from monitor.alerts.schedule import digest_slot, next_digest_at, quiet_hold, quiet_until, retry_at

NIGHT = WatchlistDelivery(quiet_hours=QuietHours(start="22:00", end="07:00"), timezone="Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_quiet_hours_span_midnight_in_the_watchlist_zone() -> None:
    assert quiet_until(NIGHT, utc(2026, 3, 2, 20, 59)) is None  # 21:59 Berlin
    assert quiet_until(NIGHT, utc(2026, 3, 2, 21, 0)) == utc(2026, 3, 3, 6, 0)  # 22:00 -> 07:00 CET
    assert quiet_until(NIGHT, utc(2026, 3, 3, 3, 0)) == utc(2026, 3, 3, 6, 0)
    assert quiet_until(NIGHT, utc(2026, 3, 3, 6, 0)) is None
    summer = quiet_until(NIGHT, utc(2026, 7, 1, 23, 0))  # CEST: 07:00 local is 05:00 UTC
    assert summer == utc(2026, 7, 2, 5, 0)


def test_daytime_quiet_hours_and_none() -> None:
    lunch = WatchlistDelivery(quiet_hours=QuietHours(start="12:00", end="13:00"))
    assert quiet_until(lunch, utc(2026, 3, 2, 12, 30)) == utc(2026, 3, 2, 13, 0)
    assert quiet_until(lunch, utc(2026, 3, 2, 13, 30)) is None
    assert quiet_until(WatchlistDelivery(), utc(2026, 3, 2, 3, 0)) is None


def test_digest_cron_in_the_watchlist_zone_and_after_quiet_hours() -> None:
    policy = WatchlistDelivery(mode="digest", digest_cron="0 8 * * 1", timezone="America/New_York")
    assert next_digest_at(policy, utc(2026, 3, 2, 12, 0)) == utc(2026, 3, 2, 13, 0)  # Monday 08:00 EST
    assert next_digest_at(policy, utc(2026, 3, 2, 13, 0)) == utc(2026, 3, 9, 12, 0)  # next Monday, EDT
    early = WatchlistDelivery(mode="digest", digest_cron="0 6 * * *",
                              quiet_hours=QuietHours(start="22:00", end="07:00"))
    assert digest_slot(early, utc(2026, 3, 2, 12, 0)) == utc(2026, 3, 3, 7, 0)


def test_quiet_hours_hold_an_alert_to_their_end_or_fold_it_into_the_digest_at_their_end() -> None:
    assert quiet_hold(NIGHT, utc(2026, 3, 2, 20, 59)) is None
    assert quiet_hold(NIGHT, utc(2026, 3, 2, 23, 0)) == ("instant", utc(2026, 3, 3, 6, 0))
    folding = NIGHT.model_copy(update={"quiet_hours": QuietHours(start="22:00", end="07:00",
                                                                 fold_into_digest=True),
                                       "digest_cron": "0 7 * * *"})
    assert quiet_hold(folding, utc(2026, 3, 2, 23, 0)) == ("digest", utc(2026, 3, 3, 6, 0))  # 07:00 CET


def test_backoff_doubles_up_to_the_cap_with_bounded_jitter_then_gives_up() -> None:
    settings = DeliverySettings(max_attempts=10, backoff_base_seconds=30, backoff_cap_seconds=3600,
                                jitter=0.2)
    now = utc(2026, 3, 2, 12, 0)
    delays = [(retry_at(settings, attempts=n, key="<id>", now=now) - now).total_seconds()  # type: ignore[operator]
              for n in range(1, 10)]
    for attempt, delay in enumerate(delays, start=1):
        nominal = min(3600, 30 * 2 ** (attempt - 1))
        assert 0.8 * nominal <= delay <= min(1.2 * nominal, 3600)
    assert delays[-1] <= 3600 and delays[0] < delays[3]
    assert retry_at(settings, attempts=1, key="<id>", now=now) == retry_at(settings, attempts=1, key="<id>",
                                                                            now=now)
    assert retry_at(settings, attempts=10, key="<id>", now=now) is None
    spread = {retry_at(settings, attempts=3, key=f"<{n}>", now=now) for n in range(20)}
    assert len(spread) > 10  # different alerts do not retry in lockstep
    assert max(spread) - min(spread) <= timedelta(seconds=2 * 0.2 * 120)  # type: ignore[operator]
