"""End to end on loopback: a real HTTP server with an RSS and an Atom feed and their pages, a real
SMTP server, the real database and the real pipeline, cycle after cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.clock import FakeClock
from monitor.config import load_config
from monitor.demo.feeds import FeedItem, atom, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.jobs.once import run_once
from monitor.net.http import HttpFetcher
from monitor.service.daemon import Daemon
from monitor.storage.db import create_db_engine
from monitor.storage.tables import entries, feeds, outbox, stories, story_matches
from tests.e2e.site import WHEN, page_fetches, publish, seed_pages


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
    settings = load_config(config)
    first = run_once(settings, clock=clock)
    # the watchlist naming an unknown channel is reported with its file and skipped; the other works
    assert [w.name for w in first.shared.watchlists.current()] == ["syria", "watch-only"]
    assert any("broken.toml" in str(e) and "pager" in str(e) for e in first.shared.watchlists.errors)
    assert first.report("content").counts["articles"] == 3
    db = create_db_engine(settings.database.url)
    with db.connect() as conn:
        matching_stories = {r.story_id for r in conn.execute(select(outbox.c.story_id))}
        planned_rows = len(conn.execute(select(outbox.c.id)).all())
        alerted = set(conn.scalars(select(stories.c.id).where(stories.c.alerted)))
        watched_only = set(conn.scalars(select(story_matches.c.story_id)
                                        .where(story_matches.c.watchlist == "watch-only"))) - matching_stories
        stalled = conn.execute(select(feeds).where(feeds.c.name == "stalled-site")).one()
    # only stories with planned alerts keep their id for good; a match that alerts nobody does not
    assert alerted == matching_stories and watched_only and not watched_only & alerted
    assert first.shared.metrics.registry.get_sample_value("monitor_alerts_planned_total") == planned_rows
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
    second = run_once(settings, clock=clock)
    assert second.report("content").counts["articles"] == 0
    assert len(smtp.messages) == 2 * len(matching_stories)
    # every feed answered 304: no article to place, so neither the model nor the story window was built
    assert not second.shared.embedder.loaded and not second.shared.window.built
    assert site.requested("/hindi.rss")[-1].status == 304
    assert site.requested("/gulf.atom")[-1].status == 304
    assert page_fetches(site) == fetched_before
    assert site.requested("/hindi.rss")[-1].conditional

    # a new entry appears: only it is fetched
    new_slug = others[1]
    site.put("/hindi.rss", rss("Hindi news", site.base_url,
                               publish(site, pages, hindi) + publish(site, pages, [new_slug])))
    clock.advance(24 * 3600)
    third = run_once(settings, clock=clock)
    assert third.report("content").counts["articles"] == 1
    assert page_fetches(site)[len(fetched_before):] == [f"/{new_slug}.html"]
    assert len(smtp.messages) == 2 * len(matching_stories)  # unrelated: no alert
    db.dispose()


def test_page_that_is_not_html_is_recorded_and_skipped(world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    pages = seed_pages()
    english = [s for s, a in pages.items() if a["is_seed"] and a["language"] == "en"]
    site.put("/report.pdf", b"%PDF-1.4 not a web page", "application/pdf")
    items = [FeedItem("A PDF report", site.url("/report.pdf"), "pdf-1", WHEN), *publish(site, pages, english)]
    site.put("/hindi.rss", rss("mixed", site.base_url, items))
    site.put("/gulf.atom", atom("empty", site.base_url, [], feed_id="urn:empty"))
    site.put("/stalled.rss", rss("fine", site.base_url, []))

    settings = load_config(config)
    result = run_once(settings)
    assert result.report("content").counts["articles"] == 1
    assert any("/report.pdf" in failure for failure in result.report("content").errors)
    db = create_db_engine(settings.database.url)
    with db.connect() as conn:
        failed = conn.execute(select(entries).where(entries.c.status == "failed")).one()
    db.dispose()
    assert "report.pdf" in (failed.url or "") and failed.error
    assert len(smtp.messages) == 2


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
    daemon = Daemon(load_config(config), poll_seconds=30, deliver_seconds=15)
    daemon.prepare(HttpFetcher(daemon.settings.http, clock=daemon.clock))
    syria = config.parent / "watchlists" / "syria.toml"
    syria.write_text('channels = ["desk-email"]\nterms = [\n', encoding="utf-8")  # cut off mid-edit
    errors = daemon.reload_config()  # what SIGHUP runs
    assert [w.name for w in daemon.shared.watchlists.current()] == ["syria", "watch-only"]
    assert any("syria.toml" in e for e in errors)
    assert daemon.pipeline.deliver.watchlists is daemon.shared.watchlists
    daemon.shared.db.dispose()
