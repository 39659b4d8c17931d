"""`monitor demo --web`: the console on the demo's database, with a token made up for the session."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr
from sqlalchemy import Engine

from monitor.config import Settings, load_config
from monitor.errors import ConfigError
from monitor.models import Story
from monitor.storage.db import create_db_engine
from monitor.web.context import standalone_context
from monitor.web.server import WebServer, serve_until_stopped, start_web_server


def serve_demo_console(folder: Path, stories: list[Story], out: TextIO) -> None:
    """Serve the console on 127.0.0.1 (port 9464, or a free one if it is taken) until Ctrl-C."""
    settings = load_config(folder / "monitor.toml")
    token = os.environ.get("MONITOR_WEB_TOKEN") or secrets.token_urlsafe(18)
    web = settings.web.model_copy(update={"token": SecretStr(token)})
    engine = create_db_engine(settings.database.url)
    try:
        try:
            handle = _start(settings.model_copy(update={"web": web}), engine)
        except ConfigError:  # 9464 is taken (a daemon running?): any free port will do
            handle = _start(settings.model_copy(update={"web": web.model_copy(update={"port": 0})}), engine)
        seeds = max(stories, key=lambda s: (len(s.languages), len(s.articles)), default=None)
        print(f"\nThe web console is up at {handle.url}", file=out)
        if seeds is not None:
            print(f"  the seeds' story, in {len(seeds.languages)} languages: {handle.url}stories/{seeds.id}",
                  file=out)
        print(f"  to retry alerts or manage feeds, sign in with the token: {token}", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        serve_until_stopped(handle)
    finally:
        engine.dispose()


def _start(settings: Settings, engine: Engine) -> WebServer:
    return start_web_server(standalone_context(settings, engine))
