"""The demo's data, made by the demo's own pipeline run, plus two things a console must cope with:
an outlet whose headline is `<script>alert(1)</script>`, and a second channel (a webhook on a port
where nothing listens) whose alert fails for good."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from monitor.config import load_config
from monitor.demo.feeds import FeedItem, rss
from monitor.demo.run import publish_site, write_config
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.jobs.once import run_once

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_TEXT = ('An outlet whose headline is a script tag: <img src=x onerror="alert(2)"> must show as text. '
                "Local officials said the market would reopen on Monday after repairs to the roof, which "
                "was damaged in a storm last week. Traders welcomed the news and said business had been "
                "slow since the closure. The council promised to inspect other buildings in the area.")


@dataclass(frozen=True)
class DemoData:
    config: Path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _hostile_page() -> str:
    title = escape(HOSTILE_TITLE)
    paragraphs = "".join(f"<p>{escape(HOSTILE_TEXT)}</p>" for _ in range(3))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"og:title\" content=\"{title}\"></head><body><article><h1>{title}</h1>"
            f"{paragraphs}</article></body></html>")


def build_demo_data(folder: Path) -> DemoData:
    """Run the demo's cycle into `folder` (config, watchlists, demo.db) with the two additions."""
    with SiteServer() as site, SmtpSink() as smtp:
        feeds = publish_site(site)
        site.put("/hostile-market.html", _hostile_page())
        item = FeedItem(title=HOSTILE_TITLE, link=site.url("/hostile-market.html"), guid="hostile/1",
                        published=datetime(2019, 2, 14, 8, 0, tzinfo=UTC))
        site.put("/feeds/hostile.xml", rss("hostile-outlet", site.base_url, [item]),
                 "application/rss+xml; charset=utf-8")
        config = write_config(folder, [*feeds, ("hostile-outlet", site.url("/feeds/hostile.xml"))], smtp.port)
        config.write_text(config.read_text(encoding="utf-8") + (
            f'\n[channels.ops-webhook]\ntype = "webhook"\nurl = "http://127.0.0.1:{_closed_port()}/hook"\n'
            "timeout = 2\n\n[delivery]\nmax_attempts = 1\n"), encoding="utf-8")
        watchlist = folder / "watchlists" / "syria-conflict.toml"
        text = watchlist.read_text(encoding="utf-8")
        watchlist.write_text(text.replace('channels = ["newsroom-email"]',
                                          'channels = ["newsroom-email", "ops-webhook"]'), encoding="utf-8")
        run_once(load_config(config))
    return DemoData(config)
