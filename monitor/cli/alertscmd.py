"""`monitor alerts list|retry|send` (the outbox) and `monitor test-alert CHANNEL`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from monitor.cli.alertsend import RETRY_EXIT, SEND_EXIT, cmd_retry, cmd_send
from monitor.cli.common import add_config_option, add_json_option, emit_json, say
from monitor.config import load_config
from monitor.errors import ConfigError, DeliveryError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = sub.add_parser("alerts", help="the alert outbox: list alerts, retry them, send what is due")
    actions = alerts.add_subparsers(dest="alerts_action", metavar="ACTION")
    alerts.set_defaults(func=lambda _args: alerts.print_help(sys.stderr) or 2)

    listing = actions.add_parser("list", help="alerts in the outbox, oldest first",
                                 epilog="exit status: 0 listed; 1 an error (config, database)")
    add_config_option(listing)
    add_json_option(listing)
    listing.add_argument("--failed", action="store_true",
                         help="only alerts given up on, with their last error")
    listing.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    listing.set_defaults(func=cmd_list)

    retry = actions.add_parser(
        "retry", help="queue failed alerts again; say what happens to pending ones", epilog=RETRY_EXIT,
        description="Failed alerts are queued again with fresh attempts. For any other alert, says where it "
                    "stands (pending and when its next try is, being sent, sent). --now sends them at once, "
                    "ignoring the retry backoff, with whatever else is due on their channels (order is "
                    "kept).")
    add_config_option(retry)
    add_json_option(retry)
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="outbox ids (see `alerts list`)")
    retry.add_argument("--all-failed", action="store_true", help="every failed alert")
    retry.add_argument("--now", action="store_true", help="send them now instead of at the next delivery run")
    retry.set_defaults(func=cmd_retry)

    send = actions.add_parser(
        "send", help="deliver every alert that is due now (--now: also those waiting for a retry)",
        epilog=SEND_EXIT,
        description="Deliver what is due, every channel until nothing due remains. --now also sends alerts "
                    "that wait for a retry, ignoring the backoff; quiet hours, digest times and rate limits "
                    "still hold.")
    add_config_option(send)
    add_json_option(send)
    send.add_argument("--now", action="store_true", help="ignore the retry backoff")
    send.add_argument("--channel", action="append", metavar="NAME", help="only this channel (repeatable)")
    send.set_defaults(func=cmd_send)

    test = sub.add_parser("test-alert", help="send a sample alert through a channel and show the answer",
                          epilog="exit status: 0 delivered; 1 not delivered, or an error (config, channel)")
    add_config_option(test)
    add_json_option(test)
    test.add_argument("channel", help="a [channels.NAME] of the config")
    test.set_defaults(func=cmd_test_alert)


def _engine(config: str) -> Any:
    from monitor.storage.db import create_db_engine, migrate

    engine = create_db_engine(load_config(config, channel_secrets=False).database.url)
    migrate(engine)
    return engine


def cmd_list(args: argparse.Namespace) -> int:
    from monitor.storage import outbox

    engine = _engine(args.config)
    with engine.begin() as conn:
        rows = outbox.list_alerts(conn, states=("failed",) if args.failed else (), limit=args.limit)
    engine.dispose()
    for row in rows:
        if args.json:
            emit_json(outbox.alert_to_json(row))
        else:
            print(_line(row))
    if not args.json:
        say(f"{len(rows)} alert(s)" + (" failed" if args.failed else ""))
    return 0


def _line(row: Any) -> str:
    stamp = "%Y-%m-%d %H:%M"
    when = f"sent {row.sent_at:{stamp}} UTC" if row.sent_at else f"due {row.next_attempt_at:{stamp}} UTC"
    if row.state == "failed":
        when = "gave up"
    line = (f"{row.id:>6}  {row.state:<8} {row.channel:<12} {row.watchlist:<16} story {row.story_id:<6} "
            f"#{row.update_seq} {row.kind:<7} tries {row.attempts:<2} {when}")
    return line + (f"\n        last error: {row.last_error}" if row.last_error else "")


def cmd_test_alert(args: argparse.Namespace) -> int:
    from monitor.alerts.channels import build_channels
    from monitor.alerts.render import Renderer
    from monitor.alerts.sample import sample_alert
    from monitor.clock import SystemClock

    settings = load_config(args.config)
    if args.channel not in settings.channels:
        known = ", ".join(sorted(settings.channels)) or "none configured"
        raise ConfigError(f"no channel {args.channel!r} (known: {known})", file=str(settings.source),
                          key=f"channels.{args.channel}")
    channel = build_channels({args.channel: settings.channels[args.channel]})[args.channel]
    renderer = Renderer(settings.delivery.templates_dir)
    alert = sample_alert(renderer, channel=args.channel, now=SystemClock().now())
    try:
        result = channel.send(alert)
    except DeliveryError as exc:
        record = {"channel": args.channel, "ok": False, "error": exc.reason, "retryable": exc.retryable}
    else:
        record = {"channel": args.channel, "ok": True, "answer": result.detail,
                  "message_id": alert.message_id}
    finally:
        channel.close()
    if args.json:
        emit_json(record)
    elif record["ok"]:
        say(f"{args.channel}: delivered, the server answered: {record['answer']}")
    else:
        say(f"{args.channel}: NOT delivered: {record['error']}")
    return 0 if record["ok"] else 1
