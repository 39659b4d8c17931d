"""`monitor web`: the web console and JSON API on their own, without the daemon's jobs.

`monitor run` serves the same console itself; this command is for looking at a database that a
daemon elsewhere fills, or at a copy of one.
"""

from __future__ import annotations

import argparse

from monitor.cli.common import add_config_option, emit_json, say


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    web = sub.add_parser("web", help="serve the web console and the JSON API (without polling)")
    add_config_option(web)
    web.add_argument("--host", help="listen on this address (default: [web] host, 127.0.0.1)")
    web.add_argument("--port", type=int, help="listen on this port (default: [web] port, 9464; 0 = any free)")
    web.set_defaults(func=cmd_web)


def cmd_web(args: argparse.Namespace) -> int:
    from monitor.clock import SystemClock
    from monitor.config import load_config
    from monitor.storage.db import create_db_engine, migrate
    from monitor.storage.feeds import sync_feeds
    from monitor.web.context import standalone_context
    from monitor.web.server import serve_until_stopped, start_web_server

    settings = load_config(args.config)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = settings.model_copy(update={"web": settings.web.model_copy(update=overrides)})
    engine = create_db_engine(settings.database.url)
    try:
        migrate(engine)
        with engine.begin() as conn:  # the config's feeds are listed even before a daemon ran
            sync_feeds(conn, settings.feeds, SystemClock().now())
        handle = start_web_server(standalone_context(settings, engine))
        if handle.url is None:
            say("monitor web: the console is switched off ([web] enabled = false)")
            return 1
        say(f"web console at {handle.url} (Ctrl-C stops it)")
        emit_json({"url": handle.url, "changes": settings.web.token is not None})
        serve_until_stopped(handle)
    finally:
        engine.dispose()
    return 0
