"""Watchlist commands: `match` (articles from a file), `watchlists test` (stored stories), `watchlists parse`.

`monitor match [--watchlists DIR] ARTICLES.jsonl` reads lines with `id, title, text` (optional `lang`,
`source`, `url`, `tags`; `-` reads stdin, e.g. `monitor stories export --articles`) and writes one JSON
line per (article, watchlist) match: `{"id", "watchlist", "score", "hits": [{"term", "field",
"snippet", "score"}]}`. Without --watchlists, the folder of the config (-c) is used. Channel secrets
are not needed: nothing is delivered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.cli.common import Progress, add_config_option, add_json_option, emit_json, say
from monitor.errors import ConfigError, MonitorError
from monitor.models import Hit, Match, Story, StoryArticle
from monitor.stories.embedders import LazyEmbedder
from monitor.stories.settings import StorySettings
from monitor.watch.loader import load_watchlists
from monitor.watch.matcher import ArticleCache, match_article, match_story
from monitor.watch.query import parse_query
from monitor.watch.query.ast import describe

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from monitor.stories.embedding import Embedder
    from monitor.watch.model import Watchlist


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    match = sub.add_parser("match", help="match articles from a JSON Lines file against watchlists")
    match.add_argument("--watchlists", type=Path, default=None,
                       help="folder of watchlist .toml files (default: the config's)")
    match.add_argument("articles", type=Path,
                       help="JSON Lines: id, title, text [, lang, source, url]; '-' for stdin")
    match.add_argument("-c", "--config", default=None,
                       help="config file: its watchlist folder and its embedder (for 'about' watchlists)")
    match.set_defaults(func=cmd_match)

    group = sub.add_parser("watchlists", help="debug watchlists").add_subparsers(dest="watch_command",
                                                                                 metavar="ACTION")
    test = group.add_parser("test", help="run a watchlist over stored stories: what would it have alerted?")
    test.add_argument("name", help="watchlist name")
    test.add_argument("--days", type=float, default=7.0, help="stories seen in the last N days (default 7)")
    add_config_option(test)
    add_json_option(test)
    test.set_defaults(func=cmd_test)

    parse = group.add_parser("parse", help="parse a query and print how it is understood")
    parse.add_argument("query")
    parse.set_defaults(func=cmd_parse)


def cmd_match(args: argparse.Namespace) -> int:
    settings = _match_config(args)
    embedder = _embedder(settings)
    folder = args.watchlists or settings.watchlists.directory
    watchlists, errors = load_watchlists(folder, channels=None, embedder=embedder)
    for error in errors:
        say(f"watchlist skipped: {error}")
    bad_lines = matched = 0
    with Progress.over_records("articles", args.articles) as progress:
        for number, article, ident in _read_articles(args.articles):
            if article is None:
                bad_lines += 1
                progress.message(f"{args.articles}:{number}: {ident}")
            else:
                matched += _match_one(watchlists, article, ident, embedder)
            progress.advance(1, f"{matched} matches")
    say(f"{matched} matches; {len(watchlists)} watchlists, {len(errors)} skipped; {bad_lines} bad lines")
    return 1 if errors or bad_lines else 0


def _match_one(watchlists: list[Watchlist], article: StoryArticle, ident: Any, embedder: Embedder) -> int:
    """Print a line per watchlist the article matches; how many did."""
    cache = ArticleCache(embedder)
    matched = 0
    for watchlist in watchlists:
        match = match_article(watchlist, article, embedder=embedder, cache=cache)
        if match is not None:
            matched += 1
            emit_json({"id": ident, "watchlist": match.watchlist, "score": round(match.score, 4),
                       "hits": [_hit(h) for h in match.hits]})
    return matched


def _match_config(args: argparse.Namespace) -> Any:
    """The config `match` uses: -c, else the default file when --watchlists is missing, else none."""
    from monitor.config import DEFAULT_CONFIG

    if args.config is None and args.watchlists is None:
        if not DEFAULT_CONFIG.is_file():
            raise ConfigError("give the watchlist folder (--watchlists DIR) or a config (-c CONFIG)",
                              file=str(DEFAULT_CONFIG))
        args.config = str(DEFAULT_CONFIG)
    return _load_config(args.config) if args.config else None


def _read_articles(path: Path) -> Iterator[tuple[int, StoryArticle | None, Any]]:
    """(line number, article, id as given) per line; article None and a reason on a bad line."""
    if str(path) == "-":
        yield from _parse_articles(sys.stdin)
        return
    try:
        lines = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None
    with lines:
        yield from _parse_articles(lines)


def _parse_articles(lines: Iterator[str] | Any) -> Iterator[tuple[int, StoryArticle | None, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text", ""), str):
                raise ValueError("needs an object with 'id' and 'text'")
        except ValueError as exc:
            yield number, None, f"bad line: {exc}"
            continue
        yield number, StoryArticle(
            id=number, title=str(row.get("title") or ""), text=row.get("text") or "",
            url=str(row.get("url") or ""), language=row.get("lang") or row.get("language"),
            source=str(row.get("source") or ""), published=None, tags=tuple(row.get("tags") or ()),
        ), row["id"]


def cmd_test(args: argparse.Namespace) -> int:
    from monitor.clock import SystemClock
    from monitor.storage.db import open_existing_db

    settings = _load_config(args.config)
    embedder = _embedder(settings)
    watchlists, errors = load_watchlists(settings.watchlists.directory, channels=set(settings.channels),
                                         embedder=embedder)
    watchlist = _find(watchlists, errors, args.name)
    since = SystemClock().now() - timedelta(days=args.days)
    engine = open_existing_db(settings.database.url)
    try:
        with engine.connect() as conn:
            seen, alerts = replay(conn, watchlist, since=since, embedder=embedder)
    finally:
        engine.dispose()
    for story, match in alerts:
        _print_alert(args.json, story.title, story.first_seen.isoformat(), match)
    say(f"{watchlist.name}: {len(alerts)} of {seen} stories of the last {args.days:g} days would have "
        f"alerted {', '.join(watchlist.channels) or '(no channels)'} ({watchlist.delivery.mode})")
    return 0


def replay(conn: Connection, watchlist: Watchlist, *, since: datetime,
           embedder: Embedder | None) -> tuple[int, list[tuple[Story, Match]]]:
    """(stories looked at, the (story, match) pairs) for the stories seen since `since`."""
    from monitor.storage.stories import list_story_ids, load_story

    story_ids = list_story_ids(conn, since=since)
    alerts: list[tuple[Story, Match]] = []
    for story_id in story_ids:
        story = load_story(conn, story_id)
        alerts.extend((story, m) for m in match_story([watchlist], story, embedder=embedder))
    return len(story_ids), alerts


def _find(watchlists: list[Watchlist], errors: list[ConfigError], name: str) -> Watchlist:
    for watchlist in watchlists:
        if watchlist.name == name:
            return watchlist
    broken = [str(e) for e in errors if e.file and Path(e.file).stem == name]
    if broken:
        raise MonitorError(f"watchlist {name!r} does not load: " + "; ".join(broken))
    known = ", ".join(w.name for w in watchlists) or "none"
    raise MonitorError(f"no watchlist named {name!r} (loaded: {known})")


def _print_alert(as_json: bool, title: str, first_seen: str, match: Match) -> None:
    if as_json:
        emit_json({"story_id": match.story_id, "title": title, "first_seen": first_seen,
                   "watchlist": match.watchlist, "channels": list(match.channels),
                   "score": round(match.score, 4), "hits": [_hit(h) for h in match.hits]})
        return
    print(f"story {match.story_id}  {first_seen[:16]}  score {match.score:.2f}  {title}")
    for hit in match.hits:
        print(f"    {hit.term} in {hit.field} (article {hit.article_id}): {hit.snippet}")


def cmd_parse(args: argparse.Namespace) -> int:
    print(describe(parse_query(args.query)))
    return 0


def _hit(hit: Hit) -> dict[str, Any]:
    return {"term": hit.term, "field": hit.field, "snippet": hit.snippet, "score": round(hit.score, 4)}


def _load_config(path: str) -> Any:
    from monitor.config import load_config

    return load_config(path, channel_secrets=False)  # nothing here delivers


def _embedder(settings: Any | None) -> Embedder:
    """The configured embedder (default settings without a config), loaded when first used."""
    return LazyEmbedder(settings.stories if settings else StorySettings())
