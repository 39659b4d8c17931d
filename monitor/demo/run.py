"""`monitor demo`: the whole pipeline on a bundled sample news site, on loopback, in one command.

Serves the sample site (seed articles on the battle for Baghouz in Hindi, Arabic and English, and
unrelated real articles, each outlet with its own RSS or Atom feed), starts an SMTP sink, runs one
full cycle with a sample watchlist and prints the stories found and every alert delivered.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from importlib import resources
from pathlib import Path
from typing import TextIO

from monitor.config import load_config
from monitor.demo.feeds import FeedItem, atom, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.jobs.once import run_once
from monitor.models import Story
from monitor.storage import stories as story_repo
from monitor.storage.db import create_db_engine

SITE = resources.files("monitor.demo") / "site"
WATCHLISTS = resources.files("monitor.demo") / "watchlists"

CONFIG = """\
[database]
url = "sqlite:///demo.db"

[http]
allowed_networks = ["127.0.0.0/8"]

[stories]
embedder = "e5-small"

[watchlists]
directory = "watchlists"

[channels.newsroom-email]
type = "email"
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from_addr = "monitor@example.org"
to = ["newsroom@example.org"]
"""


def publish_site(site: SiteServer) -> list[tuple[str, str]]:
    """Put every page and one feed per outlet on the server; returns (outlet, feed URL) pairs."""
    manifest = json.loads((SITE / "articles.json").read_text(encoding="utf-8"))
    by_outlet: dict[str, list[dict[str, str]]] = defaultdict(list)
    for article in manifest:
        site.put(f"/{article['slug']}.html", (SITE / article["file"]).read_bytes())
        by_outlet[article["outlet"]].append(article)
    feeds = []
    for number, (outlet, items) in enumerate(sorted(by_outlet.items())):
        entries = [
            FeedItem(title=a["title"], link=site.url(f"/{a['slug']}.html"), guid=f"{outlet}/{a['slug']}",
                     published=datetime.fromisoformat(a["published"]))
            for a in items
        ]
        path = f"/feeds/{outlet}.xml"
        if number % 2:  # half the outlets publish Atom, half RSS, as on the real web
            site.put(path, atom(outlet, site.base_url, entries, feed_id=site.url(path)),
                     "application/atom+xml; charset=utf-8")
        else:
            site.put(path, rss(outlet, site.base_url, entries, language=items[0]["language"]),
                     "application/rss+xml; charset=utf-8")
        feeds.append((outlet, site.url(path)))
    return feeds


def write_config(folder: Path, feeds: list[tuple[str, str]], smtp_port: int) -> Path:
    (folder / "watchlists").mkdir()
    for source in WATCHLISTS.iterdir():
        if source.name.endswith(".toml"):
            (folder / "watchlists" / source.name).write_text(source.read_text(encoding="utf-8"),
                                                              encoding="utf-8")
    text = CONFIG.format(smtp_port=smtp_port)
    for outlet, url in feeds:
        text += f'\n[[feeds]]\nname = "{outlet}"\nurl = "{url}"\ntags = ["demo"]\n'
    path = folder / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class DemoResult:
    stories: list[Story]
    messages: list[EmailMessage]
    base_url: str


def run_demo(out: TextIO = sys.stdout, keep: Path | None = None, web: bool = False) -> int:
    """The demo; with `web`, the console then stays up on the demo's data until Ctrl-C."""
    folder = keep or (Path(tempfile.mkdtemp(prefix="monitor-demo-web-")) if web else None)
    try:
        result = demo_cycle(keep=folder)
        print_stories(result.stories, out)
        print_alerts(result.messages, out)
        print(NEXT_STEPS, file=out)
        if web and folder is not None:
            from monitor.demo.console import serve_demo_console

            serve_demo_console(folder, result.stories, out)
    finally:
        if web and keep is None and folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if result.messages else 1


NEXT_STEPS = """\
Next, your own feeds (README, "Your first real feeds"):
  cp config/monitor.example.toml config/monitor.toml      # then list your feeds and channels in it
  .venv/bin/monitor check-config -c config/monitor.toml
  .venv/bin/monitor once -c config/monitor.toml"""


def serve_site(port: int, out: TextIO = sys.stdout) -> int:
    """The sample site alone on 127.0.0.1:`port` until Ctrl-C: real feeds to point a config at."""
    try:
        site = SiteServer(port=port)
    except OSError as exc:
        print(f"monitor: error: cannot serve the sample site on 127.0.0.1:{port}: {exc.strerror}",
              file=sys.stderr)
        return 1
    with site:
        feeds = publish_site(site)
        print(f"The sample site is up at {site.base_url} with {len(feeds)} feeds:", file=out)
        for outlet, url in feeds:
            print(f"  {outlet}: {url}", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def demo_cycle(keep: Path | None = None) -> DemoResult:
    """Serve the sample site, run one full cycle against it, return the stories and emails."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-demo-"))
    try:
        with SiteServer() as site, SmtpSink() as smtp:
            feeds = publish_site(site)
            print(f"Serving {len(feeds)} sample feeds at {site.base_url}, SMTP sink on port {smtp.port}",
                  file=sys.stderr)
            settings = load_config(write_config(folder, feeds, smtp.port))
            run_once(settings)
            engine = create_db_engine(settings.database.url)
            try:
                with engine.connect() as conn:
                    ids = story_repo.list_story_ids(conn, since=datetime.min.replace(tzinfo=UTC))
                    stories = [story_repo.load_story(conn, i) for i in ids]
            finally:
                engine.dispose()
            return DemoResult(stories, list(smtp.messages), site.base_url)
    finally:
        if keep:
            shutil.copytree(folder, keep, dirs_exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


def print_stories(stories: list[Story], out: TextIO) -> None:
    print(f"\n{len(stories)} stories from {sum(len(s.articles) for s in stories)} articles:", file=out)
    for story in sorted(stories, key=lambda s: -len(s.articles)):
        print(f"  [{story.id}] {story.title[:80]}", file=out)
        print(f"      languages: {', '.join(story.languages)}; sources: {', '.join(story.sources)}",
              file=out)


def print_alerts(messages: list[EmailMessage], out: TextIO) -> None:
    print(f"\n{len(messages)} alert(s) delivered by email:", file=out)
    for message in messages:
        print(f"  To: {message['To']}\n  Subject: {message['Subject']}", file=out)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        for line in text.strip().splitlines():
            if line.rstrip() == "--":  # the signature
                break
            print(f"    {line}", file=out)
        print(file=out)
