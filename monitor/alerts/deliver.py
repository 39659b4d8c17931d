"""The delivery job: outbox -> channels, with leases, retries, digests, quiet hours and rate limits.

Each channel runs on its own thread with its own claims, so a failing or slow channel delays no
other. Within a channel, alerts go in (created_at, id) order: one alert is claimed, sent and
recorded at a time, and while an earlier alert waits for its retry the channel sends nothing newer.
A send is recorded only after the channel accepted it; a crash in between leaves the row `sending`
until its lease expires, and the resend carries the same message id (at-least-once, deduplicable).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from monitor.alerts import schedule
from monitor.alerts.channels.base import Channel, DeliveryResult, RenderedAlert
from monitor.alerts.ids import digest_message_id, thread_of
from monitor.alerts.policy import DEFAULT_POLICY, WatchlistDelivery
from monitor.alerts.render import AlertItem, Renderer, renderer_for
from monitor.alerts.settings import DeliverySettings
from monitor.errors import DeliveryError
from monitor.storage import outbox

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection, Engine

    from monitor.models import Alert, StoryOutline

log = logging.getLogger(__name__)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0  # messages accepted by a channel (a digest counts once)
    retrying: int = 0  # messages that failed and will be tried again
    failed: int = 0  # messages given up on (state `failed`)
    deferred: int = 0  # alerts held by quiet hours or folded into a digest
    errors: tuple[tuple[str, str], ...] = ()  # (channel, reason) for every failed attempt
    answers: tuple[DeliveryResult, ...] = field(default=(), repr=False)

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(self.sent + other.sent, self.retrying + other.retrying,
                              self.failed + other.failed, self.deferred + other.deferred,
                              self.errors + other.errors, self.answers + other.answers)


@dataclass(frozen=True)
class _Run:
    engine: Engine
    settings: DeliverySettings
    owner: str
    now: datetime
    watchlists: Mapping[str, WatchlistDelivery]
    renderer: Renderer

    @property
    def lease_until(self) -> datetime:
        return self.now + timedelta(seconds=self.settings.lease_seconds)

    def policy(self, watchlist: str) -> WatchlistDelivery:
        return self.watchlists.get(watchlist, DEFAULT_POLICY)


def deliver_due(engine: Engine, channels: Mapping[str, Channel], *, now: datetime, settings: DeliverySettings,
                owner: str, watchlists: Mapping[str, WatchlistDelivery],
                renderer: Renderer | None = None) -> DeliveryReport:
    """Send what is due on every channel; returns what happened. Never raises for a channel's failure."""
    run = _Run(engine, settings, owner, now, watchlists, renderer or renderer_for(settings.templates_dir))
    if not channels:
        return DeliveryReport()
    with ThreadPoolExecutor(max_workers=len(channels), thread_name_prefix="deliver") as pool:
        reports = list(pool.map(lambda item: _guarded(run, *item), channels.items()))
    return sum(reports, DeliveryReport())


def deliver_all_due(engine: Engine, channels: Mapping[str, Channel], *, now: datetime,
                    settings: DeliverySettings, owner: str, watchlists: Mapping[str, WatchlistDelivery],
                    renderer: Renderer | None = None, max_rounds: int = 1000) -> DeliveryReport:
    """Deliver until nothing due at `now` remains (`monitor once`: a cron job expects it all sent).

    `deliver_due` sends at most `batch_size` alerts per channel; this repeats it. Bounded: every
    round that goes on has moved rows out of the due set (sent, failed, deferred past `now`, or
    waiting for a retry after `now`), and a channel whose round sent nothing but had errors is left
    out of later rounds; `max_rounds` is a last guard. Nothing is sent twice: a claimed row's lease
    outlasts `now`, so no row is due again within the call.
    """
    remaining = dict(channels)
    total = DeliveryReport()
    renderer = renderer or renderer_for(settings.templates_dir)
    for _ in range(max_rounds):
        if not remaining:
            break
        report = deliver_due(engine, remaining, now=now, settings=settings, owner=owner,
                             watchlists=watchlists, renderer=renderer)
        total += report
        if not (report.sent or report.failed or report.deferred):
            break
        answered = {answer.channel for answer in report.answers}
        for name in {channel for channel, _ in report.errors} - answered:
            log.warning("channel keeps failing, left for the next run", extra={"channel": name})
            remaining.pop(name, None)
    return total


def _guarded(run: _Run, name: str, channel: Channel) -> DeliveryReport:
    try:
        return _deliver_channel(run, name, channel)
    except Exception as exc:  # a storage hiccup or a bug on one channel must not stop the others
        log.exception("delivery run failed channel=%s", name)
        return DeliveryReport(errors=((name, f"{type(exc).__name__}: {exc}"),))


def _deliver_channel(run: _Run, name: str, channel: Channel) -> DeliveryReport:
    with run.engine.begin() as conn:
        waiting_until = outbox.retry_blocks(conn, name, run.now)
    if waiting_until is not None:
        log.debug("channel waits for a retry channel=%s until=%s", name, waiting_until)
        return DeliveryReport()
    report = _deliver_instant(run, name, channel)
    if report.retrying:
        return report
    return report + _deliver_digests(run, name, channel)


def _deliver_instant(run: _Run, name: str, channel: Channel) -> DeliveryReport:
    report = DeliveryReport()
    stories: dict[int, StoryOutline | None] = {}  # one story often has alerts for several watchlists
    deadline = time.monotonic() + run.settings.channel_budget_seconds  # elapsed time, not the clock
    for claims in range(run.settings.batch_size):
        if report.sent and time.monotonic() > deadline:
            break
        with run.engine.begin() as conn:
            claimed = outbox.claim(conn, name, kind="instant", now=run.now, owner=run.owner,
                                   lease_until=run.lease_until, limit=1)
            if not claimed:
                break
            row = claimed[0]
            if claims == 0:
                log.info("job started", extra={"job": "deliver", "channel": name})
            deferral = _deferral(conn, run, row)
            if deferral is not None:
                outbox.release(conn, [row.id], run.owner, **deferral)
                report += DeliveryReport(deferred=1)
                continue
            if row.story_id not in stories:
                stories.update(outbox.load_outlines(conn, [row.story_id]))
            story = stories[row.story_id]
        report += _attempt(run, name, channel, [row], [story], partial(_render_alert, run, row, story))
        if report.retrying:
            break  # the channel is in trouble: keep the order, try again after the backoff
    return report


def _deferral(conn: Connection, run: _Run, row: Alert) -> dict[str, Any] | None:
    """Quiet hours hold (or fold) an instant alert; past the rate limit it joins a digest."""
    policy = run.policy(row.watchlist)
    hold = schedule.quiet_hold(policy, run.now)
    if hold is not None:
        kind, until = hold
        return _fold(until) if kind == "digest" else {"next_attempt_at": until}
    if policy.rate_limit_per_hour is not None:
        sent = outbox.instant_sent_since(conn, row.watchlist, row.channel, run.now - _HOUR)
        if len(sent) >= policy.rate_limit_per_hour:
            return _fold(sent[0] + _HOUR)  # the overflow goes out as one digest when the hour is up
    return None


def _fold(at: datetime) -> dict[str, Any]:
    return {"next_attempt_at": at, "kind": "digest", "digest_id": schedule.digest_id(at)}


def _deliver_digests(run: _Run, name: str, channel: Channel) -> DeliveryReport:
    with run.engine.begin() as conn:
        claimed = outbox.claim(conn, name, kind="digest", now=run.now, owner=run.owner,
                               lease_until=run.lease_until, limit=None)
        groups: dict[tuple[str, int], list[Alert]] = {}
        ready: list[list[Alert]] = []  # the groups to send now
        for row in claimed:
            groups.setdefault((row.watchlist, row.digest_id or 0), []).append(row)
        report = DeliveryReport()
        for (watchlist, _), rows in groups.items():
            quiet_end = schedule.quiet_until(run.policy(watchlist), run.now)
            if quiet_end is not None:
                outbox.release(conn, [r.id for r in rows], run.owner, next_attempt_at=quiet_end)
                report += DeliveryReport(deferred=len(rows))
            else:
                ready.append(rows)
        stories = outbox.load_outlines(conn, (r.story_id for group in ready for r in group))
    for index, rows in enumerate(ready):
        shown = [stories[r.story_id] for r in rows]
        report += _attempt(run, name, channel, rows, shown, partial(_render_digest, run, name, rows, shown))
        if report.retrying:
            with run.engine.begin() as conn:  # not tried: back to the queue as they were
                outbox.release(conn, [r.id for later in ready[index + 1:] for r in later], run.owner)
            break
    return report


def _attempt(run: _Run, name: str, channel: Channel, rows: Sequence[Alert],
             stories: Sequence[StoryOutline | None],
             build: Callable[[], RenderedAlert]) -> DeliveryReport:
    """Render and send one message for `rows`, then record the outcome on all of them.

    A sent row keeps the languages and outlets the message showed: later updates report what is new
    since then, not since planning.
    """
    ids = [r.id for r in rows]
    try:
        alert = build()
        answer = channel.send(alert)
    except DeliveryError as exc:
        error, retryable, hint = exc.reason, exc.retryable, exc.retry_after
    except Exception as exc:  # a template or channel bug: recorded like a failure, retried
        log.exception("alert could not be rendered or sent channel=%s outbox_ids=%s", name, ids)
        error, retryable, hint = f"{type(exc).__name__}: {exc}", True, None
    else:
        shown = {r.id: replace(r.payload, languages=s.languages, sources=s.sources)
                 for r, s in zip(rows, stories, strict=True) if s is not None}
        with run.engine.begin() as conn:
            outbox.mark_sent(conn, ids, run.owner, run.now, payloads=shown)
        log.info("alert sent channel=%s message_id=%s outbox_ids=%s", name, alert.message_id, ids)
        return DeliveryReport(sent=1, answers=(answer,))
    attempts = max(r.attempts for r in rows) + 1
    next_at = schedule.retry_at(run.settings, attempts=attempts, key=rows[0].message_id, now=run.now,
                                hint_seconds=hint) if retryable else None
    with run.engine.begin() as conn:
        outbox.record_failure(conn, ids, run.owner, error=error, next_attempt_at=next_at)
    log.warning("alert not delivered channel=%s outbox_ids=%s attempts=%s retry_at=%s error=%s",
                name, ids, attempts, next_at, error)
    if next_at is None:
        return DeliveryReport(failed=1, errors=((name, error),))
    return DeliveryReport(retrying=1, errors=((name, error),))


def _render_alert(run: _Run, row: Alert, story: StoryOutline | None) -> RenderedAlert:
    if story is None:
        raise DeliveryError(row.channel, f"story {row.story_id} no longer exists", retryable=False)
    return run.renderer.alert(
        AlertItem(story, row.payload, row.update_seq), message_id=row.message_id, watchlist=row.watchlist,
        channel=row.channel, timezone=run.policy(row.watchlist).timezone,
        thread=thread_of(row.story_id, row.watchlist, row.channel, row.update_seq), date=run.now)


def _render_digest(run: _Run, name: str, rows: Sequence[Alert],
                   stories: Sequence[StoryOutline | None]) -> RenderedAlert:
    items = [AlertItem(s, r.payload, r.update_seq) for r, s in zip(rows, stories, strict=True) if s]
    if not items:
        raise DeliveryError(name, "the stories of this digest no longer exist", retryable=False)
    first = rows[0]
    message_id = digest_message_id(first.watchlist, name, first.digest_id or 0, min(r.id for r in rows))
    return run.renderer.digest(
        items, message_id=message_id, watchlist=first.watchlist, channel=name,
        timezone=run.policy(first.watchlist).timezone, date=run.now)
