"""`monitor alerts retry ID...` and `monitor alerts send`: act on the outbox, and say what was done and why.

A person who asks to retry an alert wants to know what happened to it: queued again, already sent,
or waiting for its next try (and when). `--now` sends at once, ignoring the retry backoff; quiet
hours, digest times and rate limits are the watchlist's wishes and still hold.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.cli.common import emit_json, say
from monitor.cli.relative_time import relative_time
from monitor.clock import SystemClock
from monitor.config import Settings, load_config
from monitor.errors import MonitorError
from monitor.models import Alert
from monitor.storage import outbox
from monitor.storage.outbox_view import alerts_by_id

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitor.alerts.channels import Channel
    from monitor.alerts.deliver import DeliveryReport
    from monitor.watch.loader import WatchlistSet

# Exit status of `alerts retry` and `alerts send` (also in their --help).
OK, ERROR, USAGE, NOT_DELIVERED = 0, 1, 2, 3
RETRY_EXIT = ("exit status: 0 every alert given was queued again (with --now: and delivered); 1 an error "
              "(config, database, an id that does not exist); 2 wrong arguments; 3 some alert was left as it "
              "was (pending, being sent or already sent: the message says why) or, with --now, not delivered")
SEND_EXIT = ("exit status: 0 everything due was delivered (or nothing was due); 1 an error (config, "
             "database); 3 some alert was not delivered (it will be retried, or failed: see `alerts list`)")


def cmd_retry(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.all_failed):
        say("monitor alerts retry: give either outbox IDs or --all-failed")
        return USAGE
    settings = load_config(args.config, channel_secrets=args.now)
    now = SystemClock().now()
    with _Outbox(settings, deliver=args.now) as box:
        with box.engine.begin() as conn:
            rows = (_by_id(alerts_by_id(conn, args.ids)) if args.ids else
                    {r.id: r for r in outbox.list_alerts(conn, states=("failed",), limit=1_000_000)})
            failed = [i for i, r in rows.items() if r.state == "failed"]
            outbox.retry(conn, failed, now)
            hurried = outbox.expedite(conn, now, ids=list(rows)) if args.now else []
        missing = [i for i in args.ids if i not in rows]
        notes = [f"no alert {i} in the outbox (see `monitor alerts list`)" for i in missing]
        notes += [explain(rows[i], now, now_flag=args.now) for i in sorted(rows)]
        due = {i for i, r in rows.items() if _due(r, now)} if args.now else set()
        acted = set(failed) | set(hurried) | due
        retried = sorted(set(failed) | set(hurried))
        record: dict[str, object] = {"retried": len(retried), "ids": retried}
        undelivered: list[int] = []
        if args.now and acted:
            report = box.deliver({rows[i].channel for i in acted}, now)
            with box.engine.begin() as conn:
                after = _by_id(alerts_by_id(conn, sorted(acted)))
            notes += [outcome(after[i], now) for i in sorted(after)]
            undelivered = sorted(i for i in after if after[i].state != "sent")
            record.update(_counts(report), undelivered=undelivered)
    left = sorted(set(rows) - acted)
    _print(args.json, notes, {**record, "left": left, "missing": missing})
    if missing:
        return ERROR
    return NOT_DELIVERED if left or undelivered else OK


def cmd_send(args: argparse.Namespace) -> int:
    settings = load_config(args.config)
    now = SystemClock().now()
    with _Outbox(settings, deliver=True) as box:
        names = args.channel or sorted(settings.channels)
        unknown = sorted(set(names) - set(settings.channels))
        if unknown:
            raise MonitorError(f"no channel {', '.join(map(repr, unknown))} in {settings.source} "
                               f"(channels: {', '.join(sorted(settings.channels)) or 'none'})")
        hurried: list[int] = []
        if args.now:
            with box.engine.begin() as conn:
                hurried = outbox.expedite(conn, now, channels=names)
        report = box.deliver(set(names), now)
    counts = _counts(report)
    notes = [f"{len(hurried)} alert(s) waiting for a retry made due now"] if args.now else []
    notes.append(f"sent {report.sent}, deferred {report.deferred} (quiet hours, digests, rate limits), "
                 f"will be retried {report.retrying}, failed {report.failed}")
    notes += [f"  {channel}: {reason}" for channel, reason in report.errors]
    _print(args.json, notes, {"expedited": len(hurried), **counts})
    return NOT_DELIVERED if report.retrying or report.failed else OK


def explain(row: Alert, now: datetime, *, now_flag: bool) -> str:
    """What `retry` did with this alert, or why it left it alone."""
    head = f"alert {row.id} ({row.watchlist} -> {row.channel})"
    if row.state == "failed":
        then = "sending it now" if now_flag else "the next delivery run sends it"
        return f"{head} had failed after {row.attempts} tries ({row.last_error}): queued again; {then}"
    if row.state == "sent":
        return f"{head} was already sent at {_clock(row.sent_at)}: nothing to do"
    if row.state == "sending":
        return (f"{head} is being sent right now by {row.lease_owner} (claimed until "
                f"{_clock(row.lease_expires_at)}): nothing to do")
    if row.last_error and row.next_attempt_at > now:
        if now_flag:
            return f"{head} was pending after {row.attempts} tries ({row.last_error}): sending it now"
        when = relative_time(row.next_attempt_at, now)
        return (f"{head} is pending, next try {when} ({row.attempts} tries so far, last error: "
                f"{row.last_error}); use --now to send it now")
    if row.next_attempt_at <= now:
        if now_flag:
            return f"{head} is pending and due: sending it now"
        return f"{head} is pending and due now: the next delivery run sends it; use --now to send it now"
    wait = "its digest" if row.kind == "digest" else "the end of quiet hours or of the rate limit"
    return (f"{head} is held for {wait} until {_clock(row.next_attempt_at)} "
            f"({relative_time(row.next_attempt_at, now)}), as watchlist {row.watchlist} asks: left as it is")


def outcome(row: Alert, now: datetime) -> str:
    if row.state == "sent":
        return f"alert {row.id}: sent"
    if row.state == "failed":
        return f"alert {row.id}: not delivered, failed for good: {row.last_error}"
    if row.last_error:
        return (f"alert {row.id}: not delivered ({row.last_error}); next try "
                f"{relative_time(row.next_attempt_at, now)}")
    return f"alert {row.id}: not sent yet ({row.state}, due {_clock(row.next_attempt_at)})"


def _due(row: Alert, now: datetime) -> bool:
    return row.state == "pending" and bool(row.next_attempt_at <= now)


def _by_id(rows: Iterable[Alert]) -> dict[int, Alert]:
    return {row.id: row for row in rows}


def _clock(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC" if when else "?"


def _counts(report: DeliveryReport) -> dict[str, object]:
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed,
            "deferred": report.deferred, "errors": [{"channel": c, "error": e} for c, e in report.errors]}


def _print(as_json: bool, notes: Sequence[str], record: dict[str, object]) -> None:
    if as_json:
        emit_json(record)
    else:
        for note in notes:
            say(note)


class _Outbox:
    """The database; with `deliver`, also the channels and watchlist policies to send with."""

    def __init__(self, settings: Settings, *, deliver: bool) -> None:
        from monitor.alerts.channels import build_channels
        from monitor.app import build_embedder, build_watchlists, instance_owner, open_database
        from monitor.storage.db import create_db_engine, migrate

        self.settings = settings
        self.channels: dict[str, Channel] = {}
        self.watchlists: WatchlistSet | None = None
        if deliver:  # as `monitor once` builds them; open_database refuses channels without their secrets
            self.engine: Engine = open_database(settings, SystemClock())
            self.channels = build_channels(settings.channels)
            self.watchlists = build_watchlists(settings, build_embedder(settings))
            self.owner = instance_owner(settings)
        else:
            self.engine = create_db_engine(settings.database.url)
            migrate(self.engine)

    def deliver(self, channels: Iterable[str], now: datetime) -> DeliveryReport:
        from monitor.alerts.deliver import deliver_all_due

        assert self.watchlists is not None, "opened without deliver=True"
        policies = {w.name: w.delivery for w in self.watchlists.current()}
        chosen = {name: self.channels[name] for name in sorted(set(channels)) if name in self.channels}
        return deliver_all_due(self.engine, chosen, now=now, settings=self.settings.delivery,
                               owner=self.owner, watchlists=policies)

    def __enter__(self) -> _Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        for channel in self.channels.values():
            channel.close()
        self.engine.dispose()
