"""`monitor feeds list|add|import|export`: the feed list and each feed's health.

Switching feeds on and off, renaming and removing them lives in feedsedit.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from monitor.cli import feedsedit
from monitor.cli.common import Progress, add_config_option, add_json_option, emit_json, say
from monitor.cli.relative_time import parse_iso, relative_time
from monitor.clock import SystemClock
from monitor.config import Settings, load_config
from monitor.errors import ConfigError
from monitor.ingest.feedlist import add_by_url, export_all, import_opml, status_rows
from monitor.net.http import HttpFetcher
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feeds = sub.add_parser("feeds", help="list, add, import, export, enable, disable, rename, remove feeds")
    feeds.set_defaults(func=lambda _args: feeds.print_help(sys.stderr) or 2)
    actions = feeds.add_subparsers(dest="feeds_action", metavar="ACTION")

    listing = actions.add_parser("list", help="every feed with its state, last success, errors, next check")
    listing.add_argument("--errors", action="store_true",
                         help="only failing or disabled feeds, and feeds whose pages fail")
    add = actions.add_parser("add", help="subscribe to a feed URL, or to the feed a page links to")
    add.add_argument("url")
    add.add_argument("--name", help="feed name (default: the feed's title)")
    add.add_argument("--tags", default="", help="comma-separated tags")
    imp = actions.add_parser("import", help="add the feeds of an OPML file")
    imp.add_argument("file", type=Path)
    exp = actions.add_parser("export", help="write the feed list as OPML")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    exp.add_argument("--all", action="store_true", help="include disabled feeds")
    for parser, func in ((listing, feeds_list), (add, feeds_add), (imp, feeds_import), (exp, feeds_export)):
        add_config_option(parser)
        if parser is not exp:
            add_json_option(parser)
        parser.set_defaults(func=func)
    feedsedit.register(actions, open_feeds)


def open_feeds(args: argparse.Namespace) -> tuple[Settings, Engine]:
    """Config, migrated database, and the config's feed list synced in (as the daemon does)."""
    settings = load_config(args.config, channel_secrets=False)  # feeds commands deliver nothing
    engine = create_db_engine(settings.database.url)
    migrate(engine)
    with engine.begin() as conn:
        sync_feeds(conn, settings.feeds, SystemClock().now())
    return settings, engine


def feeds_list(args: argparse.Namespace) -> int:
    _, engine = open_feeds(args)
    rows = status_rows(engine, errors_only=args.errors)
    if args.json:
        for row in rows:
            emit_json(row)
        return 0
    if not rows:
        say("no feeds" + (" with errors" if args.errors else ""))
    now = SystemClock().now()
    for row in rows:
        print(f"{row['name']}  [{row['state']}]  {row['url']}")
        print("    " + _times(row, now))
        for key in ("last_error", "warning", "disabled_reason"):
            if row[key]:
                print(f"    {key.replace('_', ' ')}: {row[key]}")
        if row["pages_failed"] or row["pages_retrying"]:
            print(f"    pages: {row['pages_failed']} failed, {row['pages_retrying']} to retry; "
                  f"last: {row['last_page_error']}")
    return 0


def _times(row: dict[str, Any], now: datetime) -> str:
    """"last success 3 min ago, next check in 12 min, errors 0"."""
    success, due = parse_iso(row["last_success"]), parse_iso(row["next_check"])
    last = relative_time(success, now) if success else "never"
    if row["state"] == "disabled" or due is None:
        upcoming = "-"
    else:
        upcoming = relative_time(due, now) if due > now else "due now"
    return f"last success {last}, next check {upcoming}, errors {row['error_count']}"


def feeds_add(args: argparse.Namespace) -> int:
    settings, engine = open_feeds(args)
    tags = [t.strip() for t in args.tags.split(",") if t.strip()]

    async def run() -> int:
        fetcher = HttpFetcher(settings.http)
        try:
            added = await add_by_url(engine, fetcher, args.url, now=SystemClock().now(), name=args.name,
                                     tags=tags, max_bytes=settings.polling.feed_max_bytes)
        finally:
            await fetcher.aclose()
        feed = added.feed
        if added.via:
            say(f"{added.via} is a page; its feed is {feed.url}")
        if added.already:
            say(f"already subscribed as {feed.name!r}: {feed.url}; nothing added")
        else:
            say(f"added {feed.name!r}: {feed.url}")
        if args.json:
            emit_json({"name": feed.name, "url": feed.url, "tags": list(feed.tags), "via": added.via,
                       "added": not added.already})
        return 0

    return asyncio.run(run())


def feeds_import(args: argparse.Namespace) -> int:
    _, engine = open_feeds(args)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read OPML file ({exc.strerror})", file=str(args.file)) from None
    with Progress("feeds imported") as progress:
        report = import_opml(engine, data, source=str(args.file), now=SystemClock().now(),
                             progress=progress.update)
    for reason in report.skipped:
        say(f"skipped {reason}")
    say(f"imported {len(report.added)} feeds, skipped {len(report.skipped)}")
    if args.json:
        emit_json({"added": report.added, "skipped": report.skipped})
    return 0


def feeds_export(args: argparse.Namespace) -> int:
    _, engine = open_feeds(args)
    document = export_all(engine, now=SystemClock().now(), include_disabled=args.all)
    if args.output:
        args.output.write_text(document, encoding="utf-8")
        say(f"wrote {args.output}")
    else:
        sys.stdout.write(document)
    return 0
