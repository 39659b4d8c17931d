"""`monitor check-config`: validate the config and its watchlists, connect to the database, print a summary.

Exit status: 0 all good, 1 a problem was found (each one is listed).
"""

from __future__ import annotations

import argparse
from typing import Any

from monitor.cli.common import add_config_option, add_json_option, emit_json, safe_url
from monitor.config import load_config
from monitor.errors import StorageError
from monitor.ingest.guard import guard_warnings
from monitor.storage.db import describe_database
from monitor.stories.e5_engine import built_engine, kernels_running
from monitor.stories.embedders import LazyEmbedder
from monitor.stories.settings import StorySettings
from monitor.watch.loader import load_watchlists


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "check-config", help="validate the config and watchlists, connect to the database",
        description="Validate the config and its watchlists and connect to the database (nothing is "
                    "created or migrated). Exit status: 0 all good, 1 problems found (each is listed).")
    add_config_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=check_config)


def _engine(stories: StorySettings) -> str | None:
    """Which e5 engine will run: the one `make` built here, or the wheel's (and how to build one)."""
    if stories.embedder != "e5-small":
        return None
    if stories.engine == "bundled":
        return "bundled (as [stories] engine says)"
    built = built_engine()
    if built is None:
        return "bundled (none built for this machine: python -m monitor.stories.e5_engine)"
    return f"built for this machine ({built}), {kernels_running(built)}"


def check_config(args: argparse.Namespace) -> int:
    settings = load_config(args.config)
    try:
        database, database_error = describe_database(settings.database.url), None
    except StorageError as exc:
        database, database_error = "not usable", f"database: {exc}"
    embedder = LazyEmbedder(settings.stories)  # `about` lists are embedded when first matched, not here
    watchlists, errors = load_watchlists(settings.watchlists.directory, channels=set(settings.channels),
                                         embedder=embedder)
    summary: dict[str, Any] = {
        "config": str(settings.source),
        "database": safe_url(settings.database.url),
        "database_check": database,
        "feeds": [{"name": f.name, "url": f.url} for f in settings.feeds],
        "channels": {name: ch.type for name, ch in settings.channels.items()},
        "watchlists": [{"name": w.name, "channels": list(w.channels)} for w in watchlists],
        "embedder": settings.stories.embedder,
        "engine": _engine(settings.stories),
        "errors": [str(e) for e in errors] + ([database_error] if database_error else []),
        "warnings": guard_warnings(settings.feeds, settings.http),
    }
    if args.json:
        emit_json(summary)
    else:
        print(f"config      {summary['config']}")
        print(f"database    {summary['database']} ({database})")
        print(f"embedder    {summary['embedder']}, {settings.stories.threads} thread(s)"
              + (f"; engine {summary['engine']}" if summary["engine"] else ""))
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
        if database_error:
            print(f"  ! {database_error}")
        for warning in summary["warnings"]:
            print(f"warning     {warning}")
    return 1 if summary["errors"] else 0
