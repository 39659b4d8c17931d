"""`monitor run`, `monitor once` and `monitor demo`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from monitor.app import build_app
from monitor.cli.common import add_config_option, add_json_option, emit_json, say
from monitor.config import load_config


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser("run", help="run the daemon: poll, match and deliver on a schedule")
    add_config_option(run)
    run.add_argument("--poll-seconds", type=float, default=30.0, help="how often due feeds are claimed")
    run.add_argument("--deliver-seconds", type=float, default=15.0, help="how often the outbox is sent")
    run.set_defaults(func=cmd_run)

    once = sub.add_parser("once", help="one full cycle (poll, extract, cluster, match, deliver), then exit")
    add_config_option(once)
    add_json_option(once)
    once.set_defaults(func=cmd_once)

    demo = sub.add_parser("demo", help="run the whole pipeline on a bundled sample site, on loopback")
    demo.add_argument("--keep", type=Path, help="copy the demo's database and config into this folder")
    demo.add_argument("--web", action="store_true",
                      help="then serve the web console on the demo data until Ctrl-C, and print its address")
    demo.set_defaults(func=cmd_demo)


def cmd_run(args: argparse.Namespace) -> int:
    from monitor.logs import configure_logging
    from monitor.service.daemon import Daemon

    settings = load_config(args.config)
    configure_logging(json=settings.service.json_logs, level=settings.service.log_level)
    app = build_app(settings)
    asyncio.run(Daemon(app, poll_seconds=args.poll_seconds, deliver_seconds=args.deliver_seconds).run())
    return 0


def cmd_once(args: argparse.Namespace) -> int:
    from monitor.pipeline import run_once

    app = build_app(load_config(args.config))
    try:
        report = run_once(app)
    finally:
        app.close()
    summary = report.summary()
    if args.json:
        emit_json(summary)
    else:
        say(f"polled {summary['feeds_polled']} feeds, {summary['new_articles']} new articles, "
            f"{len(summary['stories_touched'])} stories touched, {summary['alerts_planned']} alerts planned")
        for failure in summary["failed_pages"]:
            say(f"  skipped: {failure}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo.run import run_demo

    return run_demo(keep=args.keep, web=args.web)
