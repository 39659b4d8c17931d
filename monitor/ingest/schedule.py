"""When to check a feed next, and what a poll changes on it (pure functions).

- Success: an adaptive interval (shrinks while the feed publishes, grows while it is quiet,
  within [min, max]); a per-feed override replaces it. The server's hints (Cache-Control max-age,
  Expires, the feed's <ttl>/sy:updatePeriod) can push the next check later, never past max.
- Error: exponential back-off from the interval in force, capped (hours, not forever), at least
  what Retry-After asks for; polling resumes by itself once the feed answers again.
- HTTP 410 Gone disables the feed with a reason, and so do `max_errors` failures in a row; a
  permanent redirect moves its stored URL.
Jitter spreads feeds that were added together so they do not stay in lockstep.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.ingest.parse import ParsedFeed
from monitor.ingest.settings import MIN_POLL_SECONDS, PollingSettings
from monitor.models import Feed, FeedUpdate, PollResult

MIN_DELAY_SECONDS = MIN_POLL_SECONDS


def adaptive_interval(feed: Feed, new_entries: int, now: datetime, settings: PollingSettings) -> int:
    """The interval in force after a successful poll that found `new_entries`."""
    if feed.interval_seconds:
        return feed.interval_seconds
    if not settings.adaptive:
        return settings.default_interval_seconds
    current = float(feed.current_interval_seconds or settings.default_interval_seconds)
    if new_entries >= 5:
        current *= 0.5
    elif new_entries > 0:
        current *= 0.75
    else:
        current *= 1.25
    if new_entries > 0 and feed.last_new_entry_at is not None:
        # Publishing every few minutes: no need to wait longer than the gap between posts.
        gap = (now - feed.last_new_entry_at).total_seconds()
        if gap > 0:
            current = min(current, max(gap, settings.min_interval_seconds))
    return int(min(max(current, settings.min_interval_seconds), settings.max_interval_seconds))


def backoff_delay(error_count: int, base: int, settings: PollingSettings,
                  retry_after: float | None = None) -> float:
    """Delay after the `error_count`-th consecutive error (1 = first)."""
    exponent = min(max(error_count - 1, 0), 30)
    delay = min(float(settings.backoff_cap_seconds), base * (2.0**exponent))
    if retry_after is not None:
        delay = max(delay, min(retry_after, float(settings.backoff_cap_seconds)))
    return delay


def jittered(delay: float, settings: PollingSettings, rng: random.Random) -> float:
    spread = settings.jitter_fraction
    return max(float(MIN_DELAY_SECONDS), delay * (1.0 + rng.uniform(-spread, spread)))


def plan_update(feed: Feed, result: PollResult, parsed: ParsedFeed | None, *, new_entries: int,
                now: datetime, settings: PollingSettings, rng: random.Random) -> FeedUpdate:
    """What to write back after polling `feed` (and parsing, when a body came)."""
    in_force = feed.interval_seconds or feed.current_interval_seconds or settings.default_interval_seconds
    if result.status == 410:
        reason = f"HTTP 410 Gone: the publisher removed this feed ({result.url or feed.url})"
        later = now + timedelta(seconds=settings.max_interval_seconds)
        return FeedUpdate(checked_at=now, next_check_at=later, status=410,
                          error=result.error or "HTTP 410 Gone", disable_reason=reason,
                          current_interval_seconds=in_force)
    error = result.error or (parsed.error if parsed is not None else None)
    warning = parsed.warning if parsed is not None else None
    if error:
        delay = backoff_delay(feed.error_count + 1, in_force, settings, result.retry_after_seconds)
        floor = min(result.retry_after_seconds or 0.0, float(settings.backoff_cap_seconds))
        # Jitter may spread a back-off, never bring it before what Retry-After asked for.
        later = now + timedelta(seconds=max(jittered(delay, settings, rng), floor))
        final = 0 < settings.max_errors <= feed.error_count + 1
        return FeedUpdate(checked_at=now, next_check_at=later, status=result.status,
                          error=error, warning=warning, current_interval_seconds=in_force,
                          disable_reason=f"{feed.error_count + 1} failed polls in a row, the last: {error}"
                          if final else None)
    interval = adaptive_interval(feed, new_entries, now, settings)
    hints = [h for h in (result.retry_after_seconds, parsed.ttl_seconds if parsed else None) if h]
    delay = min(max([float(interval), *hints]), float(max(settings.max_interval_seconds, interval)))
    moved = result.permanent_redirect_to
    return FeedUpdate(
        checked_at=now,
        next_check_at=now + timedelta(seconds=jittered(delay, settings, rng)),
        status=result.status,
        warning=warning,
        etag=result.etag,
        last_modified=result.last_modified,
        current_interval_seconds=interval,
        new_url=moved if moved and moved != feed.url else None,
        new_entries=new_entries,
    )
