"""`monitor check-config`: validate the config and its watchlists, print a summary."""

from __future__ import annotations

import argparse
from typing import Any

from monitor.cli.common import add_config_option, add_json_option, emit_json, safe_url
from monitor.config import load_config
from monitor.ingest.guard import guard_warnings
from monitor.stories.embedders import LazyEmbedder
from monitor.watch.loader import load_watchlists


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("check-config", help="validate the config and watchlists, print a summary")
    add_config_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=check_config)


def check_config(args: argparse.Namespace) -> int:
    settings = load_config(args.config)
    embedder = LazyEmbedder(settings.stories)  # `about` lists are embedded when first matched, not here
    watchlists, errors = load_watchlists(settings.watchlists.directory, channels=set(settings.channels),
                                         embedder=embedder)
    summary: dict[str, Any] = {
        "config": str(settings.source),
        "database": safe_url(settings.database.url),
        "feeds": [{"name": f.name, "url": f.url} for f in settings.feeds],
        "channels": {name: ch.type for name, ch in settings.channels.items()},
        "watchlists": [{"name": w.name, "channels": list(w.channels)} for w in watchlists],
        "embedder": settings.stories.embedder,
        "errors": [str(e) for e in errors],
        "warnings": guard_warnings(settings.feeds, settings.http),
    }
    if args.json:
        emit_json(summary)
    else:
        print(f"config      {summary['config']}")
        print(f"database    {summary['database']}")
        print(f"embedder    {summary['embedder']}")
        print(f"feeds       {len(settings.feeds)}")
        for feed in settings.feeds:
            print(f"  - {feed.name}: {feed.url}")
        print(f"channels    {len(settings.channels)}")
        for name, kind in summary["channels"].items():
            print(f"  - {name} ({kind})")
        print(f"watchlists  {len(watchlists)} loaded, {len(errors)} with errors")
        for w in watchlists:
            print(f"  - {w.name} -> {', '.join(w.channels)}")
        for error in errors:
            print(f"  ! {error}")
        for warning in summary["warnings"]:
            print(f"warning     {warning}")
    return 1 if errors else 0
