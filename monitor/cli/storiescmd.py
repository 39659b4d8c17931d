"""`monitor stories list|show|export` (read-only) and `monitor backfill` (re-run watchlists)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.cli.common import Progress, add_config_option, add_json_option, emit_json, say
from monitor.clock import SystemClock
from monitor.errors import ConfigError
from monitor.storage.db import open_existing_db
from monitor.storage.stories import list_story_ids
from monitor.storage.stories_export import StorySummary, get_story, iter_story_details, list_stories
from monitor.stories.reasons import placement_words

if TYPE_CHECKING:
    from sqlalchemy import Connection

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `12h`, `30m`, `2w` before `now`, or an ISO date/time (UTC unless it says otherwise)."""
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match[2]]: float(match[1])})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--since {text!r}: expected a duration like 7d, 12h, 30m, 2w "
                          "or an ISO date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stories = sub.add_parser("stories", help="list, show and export stored stories")
    actions = stories.add_subparsers(dest="stories_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="stories seen recently, newest first")
    add_config_option(listing)
    add_json_option(listing)
    listing.add_argument("--since", default="7d", help="duration (7d, 12h) or ISO date; default 7d")
    listing.add_argument("--limit", type=int, default=None, help="at most this many stories")
    listing.add_argument("--alerted", action="store_true", help="only stories that were alerted")
    listing.set_defaults(func=cmd_list)

    show = actions.add_parser("show", help="one story: its articles, matches and alerts")
    add_config_option(show)
    add_json_option(show)
    show.add_argument("story_id", type=int, metavar="ID")
    show.set_defaults(func=cmd_show)

    export = actions.add_parser(
        "export", help="stories with their articles as JSON Lines on stdout",
        description="One JSON line per story with its articles, matches and alerts. --text adds each "
                    "article's text. --articles writes one line per article instead, with its text, in the "
                    "format `monitor match` and `monitor cluster` read: id, story, title, text, lang, "
                    "source, url, published.")
    add_config_option(export)
    export.add_argument("--since", default=None, help="duration (7d, 12h) or ISO date; default: all")
    export.add_argument("--text", action="store_true", help="include the articles' text")
    export.add_argument("--articles", action="store_true",
                        help="one line per article (with its text), for `monitor match` / `monitor cluster`")
    export.set_defaults(func=cmd_export)

    backfill = sub.add_parser("backfill", help="run the current watchlists over stored stories")
    add_config_option(backfill)
    backfill.add_argument("--since", default="7d", help="stories seen since: duration or ISO date")
    backfill.set_defaults(func=cmd_backfill)


@contextmanager
def _connection(config: str) -> Iterator[Connection]:
    """A read-only look at the configured database (no migrations, nothing written, no channel secrets)."""
    from monitor.config import load_config

    engine = open_existing_db(load_config(config, channel_secrets=False).database.url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def cmd_list(args: argparse.Namespace) -> int:
    since = parse_since(args.since, SystemClock().now())
    with _connection(args.config) as conn:
        found = list_stories(conn, since=since, limit=args.limit, alerted_only=args.alerted)
    for story in found:
        if args.json:
            emit_json(story.to_json())
        else:
            print(_story_line(story))
    if not args.json:
        say(f"{len(found)} stories since {since.isoformat(timespec='minutes')}")
    return 0


def _story_line(story: StorySummary) -> str:
    flags = "alerted" if story.alerted else ""
    langs = ",".join(story.languages) or "-"
    return (f"{story.id:>6}  {story.last_seen:%Y-%m-%d %H:%M}  {story.article_count:>3} art  "
            f"{langs:<10} {flags:<7}  {story.title}")


def cmd_show(args: argparse.Namespace) -> int:
    with _connection(args.config) as conn:
        detail = get_story(conn, args.story_id)
    if detail is None:
        say(f"monitor: no story with id {args.story_id}")
        return 1
    if args.json:
        emit_json(detail.to_json())
        return 0
    print(_story_line(detail.story))
    sources = ", ".join(detail.story.sources)
    print(f"first seen {detail.story.first_seen:%Y-%m-%d %H:%M} UTC; sources: {sources}")
    for a in detail.articles:
        print(f"  [{a.language or '?'}] {a.title} ({a.source}) {a.url}\n"
              f"      {placement_words(a.reason, a.score, a.shared)}")
    for match in detail.matches:
        print(f"  matched {match['watchlist']} (score {match['score']:.2f})")
        for hit in match["explanation"] or ():
            print(f"      {_hit_line(hit)}")
    for alert in detail.alerts:
        sent = f" at {alert.sent_at:%Y-%m-%d %H:%M}" if alert.sent_at else ""
        print(f"  alert {alert.watchlist} -> {alert.channel}: {alert.state}{sent}")
    return 0


def _hit_line(hit: dict[str, Any]) -> str:
    """`"Baghouz" in title (article 12): ...snippet...` from a stored Hit."""
    where = f"{hit.get('term')} in {hit.get('field')}"
    if hit.get("article_id") is not None:
        where += f" (article {hit['article_id']})"
    return f"{where}: {hit['snippet']}" if hit.get("snippet") else where


def cmd_export(args: argparse.Namespace) -> int:
    since = parse_since(args.since, SystemClock().now()) if args.since else None
    stories = articles = 0
    with _connection(args.config) as conn:
        for detail in iter_story_details(conn, since=since, with_text=args.text or args.articles):
            stories += 1
            if not args.articles:
                emit_json(detail.to_json())
                continue
            for article in detail.articles:
                emit_json(article.to_input(detail.story.id))
                articles += 1
    say(f"exported {stories} stories" + (f", {articles} articles" if args.articles else ""))
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Queue the stories seen since --since for the match job and run it here until they are done; the
    alerts it plans are sent by the daemon (or `monitor once`)."""
    from monitor.app import build_embedder, build_watchlists, instance_owner, open_database
    from monitor.config import load_config
    from monitor.jobs.match import MatchContext, run_match
    from monitor.service.metrics import Metrics
    from monitor.storage.stories import mark_to_match

    settings = load_config(args.config)
    clock = SystemClock()
    db = open_database(settings, clock)
    try:
        since = parse_since(args.since, clock.now())
        with db.begin() as conn:
            ids = list_story_ids(conn, since=since)
            mark_to_match(conn, ids)
        embedder = build_embedder(settings)
        context = MatchContext(db, build_watchlists(settings, embedder), embedder, clock, settings.jobs,
                               instance_owner(settings), Metrics())
        planned = 0
        with Progress("stories", len(ids)) as progress:
            while True:
                report = run_match(context)
                planned += report.counts["alerts_planned"]
                progress.advance(report.done + report.failed, f"{planned} alerts planned")
                if not report.worked:
                    break
    finally:
        db.dispose()
    say(f"matched {len(ids)} stories, {planned} alerts planned")
    emit_json({"stories": len(ids), "alerts_planned": planned, "since": since.isoformat()})
    return 0
