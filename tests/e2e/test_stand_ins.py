"""A page given up on keeps its story: the feed's own title and summary stand in for the article.

Sites that block crawlers, paywalls and pages made of script are common among the outlets a monitor
watches; the feed still says what happened, and the alert must not be lost with the page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Row, select

from monitor.clock import FakeClock
from monitor.config import load_config
from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.jobs.once import run_once
from monitor.storage.db import create_db_engine
from monitor.storage.tables import articles, entries
from monitor.web.server import start_web_server
from tests.e2e.site import WHEN
from tests.web.conftest import make_context

PAYWALL = "<html><head><title>Subscribe</title></head><body><p>Subscribe to read on.</p></body></html>"
WALLED = FeedItem(
    title="Last pocket of fighters in Baghouz surrounded",
    link="/walled.html", guid="walled", published=WHEN,
    summary="US-backed forces said on Wednesday they had surrounded the last fighters in Baghouz, "
            "a village on the Euphrates near the Iraqi border, after weeks of air strikes.")
BLOCKED = FeedItem(
    title="Les forces kurdes encerclent Baghouz",
    link="/blocked.html", guid="blocked", published=WHEN,
    summary="Les Forces démocratiques syriennes disent avoir encerclé les derniers combattants à Baghouz.")


def _feed(site: SiteServer) -> None:
    """The walled page answers with a paywall stub; the blocked one is never there (404)."""
    site.put("/walled.html", PAYWALL)
    items = [FeedItem(i.title, site.url(i.link), i.guid, i.published, i.summary) for i in (WALLED, BLOCKED)]
    site.put("/hindi.rss", rss("news", site.base_url, items))
    site.put("/gulf.atom", rss("empty", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))


def _entry(db_url: str, slug: str) -> tuple[Row, Row | None]:  # type: ignore[type-arg]
    db = create_db_engine(db_url)
    with db.connect() as conn:
        entry = conn.execute(select(entries).where(entries.c.url.like(f"%/{slug}.html"))).one()
        article = (conn.execute(select(articles).where(articles.c.id == entry.article_id)).one()
                   if entry.article_id else None)
    db.dispose()
    return entry, article


def test_a_page_given_up_on_is_alerted_from_its_feed_entry(world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    _feed(site)
    settings = load_config(config)
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    first = run_once(settings, clock=clock)
    # the paywall is final at once: its entry stays failed, with its error, and the feed's text is the article
    assert first.report("content").counts["feed_stand_ins"] == 1
    entry, article = _entry(settings.database.url, "walled")
    assert entry.status == "failed" and "too short" in entry.error
    assert article is not None
    assert (article.title, article.text, article.language) == (WALLED.title, WALLED.summary, "en")
    assert article.story_state == "placed"
    assert len(smtp.messages) == 2  # the watchlist on Baghouz, one e-mail per channel
    assert WALLED.title in str(smtp.messages[0]["Subject"])
    # the story page and the API say that the text is only the feed's, and why
    context = make_context(settings)
    server = start_web_server(context)
    try:
        with httpx.Client(base_url=str(server.url).rstrip("/"), timeout=10, trust_env=False) as client:
            page = client.get(f"/stories/{article.story_id}").text
            shown = client.get(f"/api/v1/stories/{article.story_id}").json()["articles"]
    finally:
        server.close()
        context.engine.dispose()
    assert "from the feed only: the page was given up on (" in page and "main text too short" in page
    assert [a["page_error"] for a in shown] == [entry.error]
    # the missing page is retried as a fetch failure, and stands in only once it is given up on
    entry, article = _entry(settings.database.url, "blocked")
    assert (entry.status, article) == ("new", None)
    for _ in range(settings.jobs.max_attempts - 1):
        clock.advance(settings.jobs.lease_seconds + 1)
        run_once(settings, clock=clock)
    entry, article = _entry(settings.database.url, "blocked")
    assert entry.status == "failed" and entry.attempts == settings.jobs.max_attempts and "404" in entry.error
    assert article is not None and (article.title, article.language) == (BLOCKED.title, "fr")


def test_without_stand_ins_a_page_given_up_on_is_only_recorded(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    _feed(site)
    config.write_text(config.read_text(encoding="utf-8") + "\n[content]\nfeed_stand_in = false\n",
                      encoding="utf-8")
    settings = load_config(config)
    first = run_once(settings, clock=FakeClock(datetime(2026, 3, 1, tzinfo=UTC)))
    assert first.report("content").counts["feed_stand_ins"] == 0
    entry, article = _entry(settings.database.url, "walled")
    assert entry.status == "failed" and article is None
    assert smtp.messages == []
