"""When an alert may go: quiet hours, digest periods and retry backoff. Pure functions of time.

All inputs and outputs are aware UTC datetimes; quiet hours and digest crons are read in the
watchlist's own time zone, so "22:00-07:00" and "0 8 * * *" mean the user's wall clock, DST included.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from monitor.alerts.policy import WatchlistDelivery
from monitor.alerts.settings import DeliverySettings

_TICK = timedelta(microseconds=1)


def quiet_until(policy: WatchlistDelivery, when: datetime) -> datetime | None:
    """The end of the quiet period `when` falls in (UTC), or None outside quiet hours."""
    quiet = policy.quiet_hours
    if quiet is None:
        return None
    tz = ZoneInfo(policy.timezone)
    local = when.astimezone(tz)
    start, end = _hhmm(quiet.start), _hhmm(quiet.end)
    now_t = local.time().replace(tzinfo=None)
    if start == end:
        return None
    if start < end:
        inside, end_day = start <= now_t < end, local.date()
    else:  # spans midnight: 22:00-07:00
        inside = now_t >= start or now_t < end
        end_day = local.date() + timedelta(days=1) if now_t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)


def next_digest_at(policy: WatchlistDelivery, after: datetime) -> datetime:
    """The digest cron's next firing strictly after `after`, in UTC."""
    local = after.astimezone(ZoneInfo(policy.timezone))
    fire: datetime = croniter(policy.digest_cron, local).get_next(datetime)
    return fire.astimezone(UTC)


def digest_slot(policy: WatchlistDelivery, after: datetime) -> datetime:
    """When a digest collecting alerts from `after` on goes out: its cron, then past quiet hours."""
    fire = next_digest_at(policy, after)
    return quiet_until(policy, fire) or fire


def quiet_hold(policy: WatchlistDelivery, when: datetime) -> tuple[str, datetime] | None:
    """Where quiet hours put an instant alert due at `when`: ("instant", their end), or ("digest", the
    first digest after them) when they fold into digests; None outside quiet hours."""
    quiet_end = quiet_until(policy, when)
    if quiet_end is None:
        return None
    if policy.quiet_hours is not None and policy.quiet_hours.fold_into_digest:
        # A digest firing exactly at the end still collects the night (next_digest_at is strict).
        return "digest", digest_slot(policy, quiet_end - _TICK)
    return "instant", quiet_end


def digest_id(when: datetime) -> int:
    """A digest period's identity: its send time in whole minutes since the epoch (fits 32 bits)."""
    return int(when.timestamp() // 60)


def retry_at(settings: DeliverySettings, *, attempts: int, key: str, now: datetime,
             hint_seconds: float | None = None) -> datetime | None:
    """Next try after the `attempts`-th failure, or None once attempts are used up.

    Exponential from the base up to the cap, with jitter derived from the alert's identity, so
    senders that failed together spread out, and the same failure always gives the same schedule.
    A server's Retry-After hint is honoured when it asks for longer (still within the cap).
    """
    if attempts >= settings.max_attempts:
        return None
    delay = min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2 ** (attempts - 1))
    unit = int.from_bytes(hashlib.sha256(f"{key}:{attempts}".encode()).digest()[:8], "big") / 2**64
    delay *= 1 + settings.jitter * (2 * unit - 1)
    delay = max(delay, hint_seconds or 0.0)
    return now + timedelta(seconds=min(delay, settings.backoff_cap_seconds))


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
