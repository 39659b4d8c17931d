"""`monitor run`, `monitor once` and `monitor demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from monitor.cli.common import add_config_option, add_json_option, emit_json, say
from monitor.config import load_config
from monitor.jobs.report import JobReport


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser("run", help="run the daemon: poll, match and deliver on a schedule")
    add_config_option(run)
    run.add_argument("--poll-seconds", type=float, default=30.0, help="how often due feeds are claimed")
    run.add_argument("--deliver-seconds", type=float, default=15.0, help="how often the outbox is sent")
    run.add_argument("--jobs-seconds", type=float, default=5.0,
                     help="how often the content, stories and match jobs look for work when not woken")
    run.set_defaults(func=cmd_run)

    once = sub.add_parser("once", help="run every job (poll, extract, cluster, match, deliver) until none "
                                       "has work, then exit")
    add_config_option(once)
    add_json_option(once)
    once.add_argument("--all", "--now", dest="all_feeds", action="store_true",
                      help="poll every enabled feed now, whatever its schedule or back-off")
    once.set_defaults(func=cmd_once)

    demo = sub.add_parser("demo", help="run the whole pipeline on a bundled sample site, on loopback")
    demo.add_argument("--keep", type=Path, help="copy the demo's database and config into this folder")
    demo.add_argument("--web", action="store_true",
                      help="then serve the web console on the demo data until Ctrl-C, and print its address")
    demo.add_argument("--serve", type=int, metavar="PORT", default=None,
                      help="only serve the sample site (ten outlets' feeds and pages) on 127.0.0.1:PORT "
                           "until Ctrl-C, for trying your own config against it")
    demo.set_defaults(func=cmd_demo)


def cmd_run(args: argparse.Namespace) -> int:
    from monitor.clock import SystemClock
    from monitor.logs import configure_logging
    from monitor.service.daemon import Daemon
    from monitor.service.single_daemon import single_daemon

    settings = load_config(args.config)
    configure_logging(json=settings.service.json_logs, level=settings.service.log_level)
    with single_daemon(settings.database.url, now=SystemClock().now()):  # before any slow start-up work
        daemon = Daemon(settings, poll_seconds=args.poll_seconds, deliver_seconds=args.deliver_seconds,
                        jobs_seconds=args.jobs_seconds)
        asyncio.run(daemon.run())
    return 0


def cmd_once(args: argparse.Namespace) -> int:
    from monitor.jobs.once import run_once

    progress = None if args.json or not sys.stderr.isatty() else _show_run
    result = run_once(load_config(args.config), all_feeds=args.all_feeds, on_report=progress)
    if progress is not None:
        sys.stderr.write("\r\x1b[K")  # the progress line gives way to the summary
    if args.json:
        emit_json({job: _report_json(report) for job, report in result.reports.items()})
    else:
        for report in result.reports.values():
            say(stage_line(report))
            for error in report.errors[:20]:
                say(f"    ! {error}")
            if len(report.errors) > 20:
                say(f"    ! ... and {len(report.errors) - 20} more")
    return 1 if any(r.crashed for r in result.reports.values()) else 0


def _report_json(report: JobReport) -> dict[str, object]:
    return {"done": report.done, "failed": report.failed, **report.counts, "errors": list(report.errors),
            "cpu_seconds": round(report.cpu_seconds, 3), "wall_seconds": round(report.wall_seconds, 3)}


def _show_run(report: JobReport) -> None:
    """On a terminal: the job that just ran, redrawn in place."""
    if report.worked:
        sys.stderr.write(f"\r\x1b[K{report.job}: {report.done} done, {report.failed} failed ...")
        sys.stderr.flush()


def stage_line(report: JobReport) -> str:
    """What one job did, in words."""
    c = report.counts
    text = {
        "poll": f"{c.get('feeds', 0)} feeds polled ({c.get('not_modified', 0)} not modified, "
                f"{report.failed} failed), {c.get('new_entries', 0)} new entries",
        "content": f"{c.get('articles', 0)} articles stored, {c.get('duplicates', 0)} pages already stored, "
                   f"{report.failed} pages failed"
                   + (f" ({c['feed_stand_ins']} kept as the feed tells them)" if c.get("feed_stand_ins")
                      else ""),
        "stories": f"{report.done} articles placed, {c.get('stories_created', 0)} new stories, "
                   f"{c.get('stories_merged', 0)} merged, {report.failed} failed",
        "match": f"{report.done} stories matched, {c.get('stories_matched', 0)} matching a watchlist, "
                 f"{c.get('alerts_planned', 0)} alerts planned",
        "deliver": f"{c.get('sent', 0)} alerts sent, {c.get('retrying', 0)} to retry, "
                   f"{c.get('failed', 0)} failed, {c.get('deferred', 0)} held",
    }.get(report.job, f"{report.done} done, {report.failed} failed")
    return f"{report.job + ':':<9}{text}"


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo.run import run_demo, serve_site

    if args.serve is not None:
        return serve_site(args.serve)
    return run_demo(keep=args.keep, web=args.web)
