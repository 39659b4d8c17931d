"""End to end on loopback: a real HTTP server with an RSS and an Atom feed and their pages, a real
SMTP server, the real database and the real pipeline, cycle after cycle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.app import build_app
from monitor.clock import FakeClock
from monitor.config import load_config
from monitor.demo.feeds import FeedItem, atom, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.pipeline import run_once
from monitor.storage.tables import entries, feeds, outbox, stories, story_matches

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


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[SiteServer, SmtpSink, Path]]:
    with SiteServer() as site, SmtpSink() as smtp:
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "syria.toml").write_text(WATCHLIST, encoding="utf-8")
        # matches every article and alerts nobody: its stories are recorded but not "alerted"
        (tmp_path / "watchlists" / "watch-only.toml").write_text('query = "/./"\n', encoding="utf-8")
        (tmp_path / "watchlists" / "broken.toml").write_text(
            'channels = ["pager"]\nterms = ["Baghouz"]\n', encoding="utf-8")
        config = tmp_path / "monitor.toml"
        config.write_text(CONFIG.format(db=tmp_path / "m.db", base=site.base_url, smtp=smtp.port),
                          encoding="utf-8")
        yield site, smtp, config


def item(site: SiteServer, slug: str, title: str) -> FeedItem:
    return FeedItem(title=title, link=site.url(f"/{slug}.html"), guid=f"id-{slug}", published=WHEN)


def publish(site: SiteServer, pages: dict[str, dict[str, str]], slugs: list[str]) -> list[FeedItem]:
    for slug in slugs:
        site.put(f"/{slug}.html", (SITE / pages[slug]["file"]).read_bytes())
    return [item(site, slug, pages[slug]["title"]) for slug in slugs]


def page_fetches(site: SiteServer) -> list[str]:
    return [r.path for r in site.requests if r.path.endswith(".html")]


def test_pipeline_end_to_end(world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    pages = seed_pages()
    seeds = sorted(slug for slug, a in pages.items() if a["is_seed"])
    others = sorted(slug for slug, a in pages.items() if not a["is_seed"])
    hindi = [s for s in seeds if pages[s]["language"] == "hi"]
    english = [s for s in seeds if pages[s]["language"] == "en"]
    site.put("/hindi.rss", rss("Hindi news", site.base_url, publish(site, pages, hindi)))
    site.put("/gulf.atom", atom("Gulf daily", site.base_url, publish(site, pages, english + others[:1]),
                                feed_id="urn:gulf"), "application/atom+xml")
    site.put("/stalled.rss", rss("never answers in time", site.base_url, []))
    site.stall("/stalled.rss", 3)

    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = build_app(load_config(config), clock=clock)
    # the watchlist naming an unknown channel is reported with its file and skipped; the other works
    assert [w.name for w in app.watchlists.current()] == ["syria", "watch-only"]
    assert any("broken.toml" in str(e) and "pager" in str(e) for e in app.watchlists.errors)
    first = run_once(app)
    assert first.articles == 3
    with app.engine.connect() as conn:
        matching_stories = {r.story_id for r in conn.execute(select(outbox.c.story_id))}
        planned_rows = len(conn.execute(select(outbox.c.id)).all())
        alerted = set(conn.scalars(select(stories.c.id).where(stories.c.alerted)))
        watched_only = set(conn.scalars(select(story_matches.c.story_id)
                                        .where(story_matches.c.watchlist == "watch-only"))) - matching_stories
        stalled = conn.execute(select(feeds).where(feeds.c.name == "stalled-site")).one()
    # only stories with planned alerts keep their id for good; a match that alerts nobody does not
    assert alerted == matching_stories and watched_only and not watched_only & alerted
    assert app.metrics.registry.get_sample_value("monitor_alerts_planned_total") == planned_rows
    # the stalled feed is recorded with its reason; the others were processed in the same cycle
    assert stalled.error_count == 1 and "timed out" in stalled.last_error
    assert matching_stories, "the Baghouz stories must match the watchlist"
    # exactly one email per matching story and channel
    assert len(smtp.messages) == 2 * len(matching_stories)
    recipients = sorted(m["To"] for m in smtp.messages)
    assert recipients.count("desk@example.org") == recipients.count("editor@example.org")
    assert len({m["Message-ID"] for m in smtp.messages}) == len(smtp.messages)

    fetched_before = page_fetches(site)
    clock.advance(24 * 3600)  # every feed is due again
    second = run_once(app)
    assert second.articles == 0 and len(smtp.messages) == 2 * len(matching_stories)
    assert site.requested("/hindi.rss")[-1].status == 304
    assert site.requested("/gulf.atom")[-1].status == 304
    assert page_fetches(site) == fetched_before
    assert site.requested("/hindi.rss")[-1].conditional

    # a new entry appears: only it is fetched
    new_slug = others[1]
    site.put("/hindi.rss", rss("Hindi news", site.base_url,
                               publish(site, pages, hindi) + publish(site, pages, [new_slug])))
    clock.advance(24 * 3600)
    third = run_once(app)
    assert third.articles == 1
    assert page_fetches(site)[len(fetched_before):] == [f"/{new_slug}.html"]
    assert len(smtp.messages) == 2 * len(matching_stories)  # unrelated: no alert
    app.close()


def test_page_that_is_not_html_is_recorded_and_skipped(world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    pages = seed_pages()
    english = [s for s, a in pages.items() if a["is_seed"] and a["language"] == "en"]
    site.put("/report.pdf", b"%PDF-1.4 not a web page", "application/pdf")
    items = [FeedItem("A PDF report", site.url("/report.pdf"), "pdf-1", WHEN), *publish(site, pages, english)]
    site.put("/hindi.rss", rss("mixed", site.base_url, items))
    site.put("/gulf.atom", atom("empty", site.base_url, [], feed_id="urn:empty"))
    site.put("/stalled.rss", rss("fine", site.base_url, []))

    app = build_app(load_config(config))
    report = run_once(app)
    assert report.articles == 1
    assert any("/report.pdf" in failure for failure in report.failed_pages)
    with app.engine.connect() as conn:
        failed = conn.execute(select(entries).where(entries.c.status == "failed")).one()
    assert "report.pdf" in (failed.url or "") and failed.error
    assert len(smtp.messages) == 2
    app.close()


def test_check_config_reports_the_broken_watchlist(world: tuple[SiteServer, SmtpSink, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.cli import main

    _, _, config = world
    assert main(["check-config", "-c", str(config)]) == 1
    out = capsys.readouterr().out
    assert "feeds       3" in out and "desk-email (email)" in out
    assert "broken.toml" in out and "pager" in out


def test_reload_keeps_the_last_good_version_of_a_watchlist_broken_meanwhile(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    _, _, config = world
    app = build_app(load_config(config))
    syria = config.parent / "watchlists" / "syria.toml"
    syria.write_text('channels = ["desk-email"]\nterms = [\n', encoding="utf-8")  # cut off mid-edit
    errors = app.reload()  # SIGHUP
    assert [w.name for w in app.watchlists.current()] == ["syria", "watch-only"]
    assert any("syria.toml" in e for e in errors)
    app.close()
