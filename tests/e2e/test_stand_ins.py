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


# What a site answers for every page once it takes the poller for a bot (a Polish site's notice, in
# English): long enough to pass for an article's text.
NOTICE = ("<html><head><title>Access limited</title></head><body><main><h1>Access limited</h1>"
          "<p>We are sorry, but we have recorded a very large number of connections from the IP address "
          "you are connecting from. To protect our service, access from this address has been limited "
          "for a while.</p><p>If you think this is a mistake, please contact our support team and give "
          "them the address shown below, the time of your visit and the browser you use.</p>"
          "</main></body></html>")
NOTICED = [
    FeedItem("Parliament passes the new media law after a night of debate", "/law.html", "law", WHEN,
             "The lower house passed the media law by 234 votes to 211 after an all-night session."),
    FeedItem("Floods cut off three villages in the south-east", "/floods.html", "floods", WHEN,
             "Rescue teams reached three villages cut off by the flooded Vistula on Sunday."),
    FeedItem("National team qualifies for the European championship", "/football.html", "football", WHEN,
             "A late goal in Ljubljana sent the national team to next summer's championship."),
]


def _news(site: SiteServer, items: list[FeedItem]) -> None:
    """`items` (links relative to the site) in the world's news feed; its two other feeds empty."""
    on_site = [FeedItem(i.title, site.url(i.link), i.guid, i.published, i.summary) for i in items]
    site.put("/hindi.rss", rss("news", site.base_url, on_site))
    site.put("/gulf.atom", rss("empty", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))


def _feed(site: SiteServer) -> None:
    """The walled page answers with a paywall stub; the blocked one is never there (404)."""
    site.put("/walled.html", PAYWALL)
    _news(site, [WALLED, BLOCKED])


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


def test_a_sites_notice_served_for_many_articles_is_not_taken_for_them(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, _, config = world
    for item in NOTICED:
        site.put(item.link, NOTICE)  # the same bytes for three different articles
    _news(site, NOTICED)
    settings = load_config(config)
    result = run_once(settings, clock=FakeClock(datetime(2026, 3, 1, tzinfo=UTC)))
    # the first notice cannot be told from an article yet; the ones after it name it as what it is
    assert result.report("content").counts == {"articles": 1, "duplicates": 0, "feed_stand_ins": 2}
    found = {item.guid: _entry(settings.database.url, item.guid) for item in NOTICED}
    [first] = [guid for guid, (entry, _) in found.items() if entry.status == "done"]
    notice = found[first][1]
    assert notice is not None and notice.title == "Access limited"
    stories = set()
    for item in NOTICED:
        if item.guid == first:
            continue
        entry, article = found[item.guid]
        assert entry.status == "failed" and "a notice of the site" in entry.error
        assert f"/{first}.html" in entry.error
        assert article is not None and (article.title, article.text) == (item.title, item.summary)
        assert article.story_state == "placed"
        stories.add(article.story_id)
    assert len(stories) == 2 and notice.story_id not in stories  # no story of junk takes them in


def test_a_copy_on_the_same_site_under_the_same_name_stays_a_copy(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, _, config = world
    law = NOTICED[0]
    page = NOTICE.replace("Access limited", law.title)
    site.put("/law.html", page)
    site.put("/amp/law.html", page)
    _news(site, [law, FeedItem(law.title, "/amp/law.html", "law-amp", WHEN, law.summary)])
    settings = load_config(config)
    result = run_once(settings, clock=FakeClock(datetime(2026, 3, 1, tzinfo=UTC)))
    assert result.report("content").counts == {"articles": 2, "duplicates": 0, "feed_stand_ins": 0}
    assert result.report("content").failed == 0


def test_a_page_that_declares_itself_a_stored_article_is_that_article_whatever_the_feed_calls_it(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, _, config = world
    law, floods = NOTICED[0], NOTICED[1]
    page = NOTICE.replace("Access limited", law.title)
    site.put("/law.html", page)
    site.put("/print/law.html", page.replace("<head>", '<head><link rel="canonical" href="/law.html">'))
    _news(site, [law])
    settings = load_config(config)
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    assert run_once(settings, clock=clock).report("content").counts["articles"] == 1
    # later, a feed links the printable page under a title of its own (a wrong one, even)
    site.put("/gulf.atom", rss("later", site.base_url, [FeedItem(floods.title, site.url("/print/law.html"),
                                                                  "print", WHEN, floods.summary)]))
    result = run_once(settings, clock=clock, all_feeds=True)
    assert result.report("content").counts == {"articles": 0, "duplicates": 1, "feed_stand_ins": 0}
