"""The loopback world of the end-to-end tests: a config with three feeds and two e-mail channels, the
sample site's pages, and a watchlist on the Baghouz story."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

from monitor.demo.feeds import FeedItem
from monitor.demo.site_server import SiteServer

SITE = resources.files("monitor.demo") / "site"
WHEN = datetime(2019, 2, 13, 9, 0, tzinfo=UTC)

CONFIG = """\
[database]
url = "sqlite:///{db}"

[http]
allowed_networks = ["127.0.0.0/8"]
connect_timeout = 1
read_timeout = 1
total_timeout = 2

[stories]
embedder = "e5-small"

[[feeds]]
name = "hindi-news"
url = "{base}/hindi.rss"

[[feeds]]
name = "gulf-daily"
url = "{base}/gulf.atom"

[[feeds]]
name = "stalled-site"
url = "{base}/stalled.rss"

[channels.desk-email]
type = "email"
host = "127.0.0.1"
port = {smtp}
security = "none"
from_addr = "monitor@example.org"
to = ["desk@example.org"]

[channels.editor-email]
type = "email"
host = "127.0.0.1"
port = {smtp}
security = "none"
from_addr = "monitor@example.org"
to = ["editor@example.org"]
"""

WATCHLIST = """\
channels = ["desk-email", "editor-email"]
terms = ["Baghouz", "बघौज", "الباغوز"]
"""


def seed_pages() -> dict[str, dict[str, str]]:
    manifest = json.loads((SITE / "articles.json").read_text(encoding="utf-8"))
    return {a["slug"]: a for a in manifest}


def item(site: SiteServer, slug: str, title: str) -> FeedItem:
    return FeedItem(title=title, link=site.url(f"/{slug}.html"), guid=f"id-{slug}", published=WHEN)


def publish(site: SiteServer, pages: dict[str, dict[str, str]], slugs: list[str]) -> list[FeedItem]:
    for slug in slugs:
        site.put(f"/{slug}.html", (SITE / pages[slug]["file"]).read_bytes())
    return [item(site, slug, pages[slug]["title"]) for slug in slugs]


def page_fetches(site: SiteServer) -> list[str]:
    return [r.path for r in site.requests if r.path.endswith(".html")]
