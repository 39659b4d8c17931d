"""The HTML side without a browser: whole pages and htmx parts, forms that change feeds and alerts,
OPML through the form, times in the configured zone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select

from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.storage.tables import feeds
from tests.web.conftest import NOW, TOKEN, Seeded

HTMX = {"HX-Request": "true"}


@contextmanager
def signed_in(seeded: Seeded) -> Iterator[tuple[httpx.Client, str]]:
    with seeded.client() as client:
        client.post("/login", data={"token": TOKEN})
        page = client.get("/feeds")
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert found
        yield client, found.group(1)


def test_every_page_answers_whole_and_in_parts(seeded: Seeded) -> None:
    with seeded.client() as client:
        for path in ("/", "/stories", f"/stories/{seeded.baghouz}", "/feeds", "/alerts", "/watchlists",
                     "/login"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert page.text.startswith("<!doctype html>") and "/static/htmx.min.js" in page.text, path
        part = client.get("/stories", params={"language": "ar"}, headers=HTMX)
        restore = client.get("/stories", headers={**HTMX, "HX-History-Restore-Request": "true"})
        missing = client.get("/stories/424242")
        static = client.get("/static/htmx.min.js")
    assert "<html" not in part.text and f'id="story-{seeded.baghouz}"' in part.text
    assert f'id="story-{seeded.football}"' not in part.text
    assert restore.text.startswith("<!doctype html>")  # the back button wants the whole page
    assert missing.status_code == 404 and "no story 424242" in missing.text
    assert static.status_code == 200 and static.headers["content-type"].startswith("text/javascript")


def test_the_story_page_groups_by_language_and_says_why_each_article_joined(seeded: Seeded) -> None:
    with seeded.client() as client:
        page = client.get(f"/stories/{seeded.baghouz}").text
    arabic = page[page.index('id="lang-ar"'):]
    assert '<span class="headline" lang="ar" dir="rtl">قصف على الباغوز</span>' in arabic
    assert "why here: similar to the story, score 0.62" in arabic
    assert "why here: started the story" in page[page.index('id="lang-en"'):page.index('id="lang-ar"')]
    assert '<strong dir="auto">Baghouz</strong> in the title: <span class="snippet"' in page
    assert 'data-state="failed"' in page and "connection refused" in page


def test_times_are_relative_and_in_the_configured_zone(seeded: Seeded) -> None:
    seeded.context.clock.advance(3 * 3600)  # type: ignore[attr-defined]
    with seeded.client() as client:
        page = client.get(f"/stories/{seeded.baghouz}").text
    # 12:00 UTC on 1 June is 14:00 in Paris (CEST)
    assert f'<time datetime="{NOW.isoformat()}" title="2026-06-01 14:00 CEST">3 h ago</time>' in page
    assert "Times are shown in Europe/Paris" in page


def test_feed_forms_enable_disable_check_add_and_import(seeded: Seeded) -> None:
    engine = seeded.context.engine
    with signed_in(seeded) as (client, csrf), SiteServer() as site:
        disabled = client.post("/feeds/disable", data={"name": "wire-en", "csrf": csrf}, headers=HTMX)
        assert disabled.status_code == 200 and "<html" not in disabled.text
        assert 'data-state="disabled"' in disabled.text and "is switched off" in disabled.text
        enabled = client.post("/feeds/enable", data={"name": "wire-en", "csrf": csrf})  # no htmx: whole page
        assert enabled.text.startswith("<!doctype html>") and "is switched on" in enabled.text
        unknown = client.post("/feeds/check", data={"name": "nope", "csrf": csrf}, headers=HTMX)
        assert unknown.status_code == 404 and "no feed named" in unknown.text
        site.put("/feed.xml", rss("Form Feed", site.base_url, [FeedItem(
            title="x", link=site.url("/x"), guid="x", published=NOW)]), "application/rss+xml")
        added = client.post("/feeds/add", data={"url": site.url("/feed.xml"), "tags": "a, b", "csrf": csrf},
                            headers=HTMX)
        assert added.status_code == 200 and "added &#39;Form Feed&#39;" in added.text
        opml = (b'<opml version="2.0"><body><outline text="From File" xmlUrl="http://127.0.0.1:9/f.rss"/>'
                b"</body></opml>")
        imported = client.post("/feeds/import", data={"csrf": csrf}, files={"opml": ("mine.opml", opml)},
                               headers=HTMX)
        assert "imported 1 feed(s)" in imported.text
        exported = client.get("/feeds/export.opml")
    assert 'filename="feeds.opml"' in exported.headers["content-disposition"]
    assert "http://127.0.0.1:9/f.rss" in exported.text and site.base_url in exported.text
    with engine.connect() as conn:
        names = {r.name: (r.enabled, r.tags) for r in conn.execute(select(feeds))}
    assert names["wire-en"][0] is True
    assert names["Form Feed"] == (True, ["a", "b"]) and "From File" in names


def test_alert_forms_retry_and_send_now(seeded: Seeded) -> None:
    with signed_in(seeded) as (client, csrf):
        retried = client.post("/alerts/retry", data={"id": str(seeded.failed_alert), "csrf": csrf},
                              headers=HTMX)
        again = client.post("/alerts/retry", data={"id": str(seeded.failed_alert), "csrf": csrf},
                            headers=HTMX)
        sent = client.post("/alerts/send-now", data={"id": str(seeded.pending_alert), "csrf": csrf},
                           headers=HTMX)
        missing = client.post("/alerts/retry", data={"id": "99999", "csrf": csrf})
    assert 'data-state="pending"' in retried.text and "queued again" in retried.text
    assert "is pending, not failed" in again.text
    assert "due now" in sent.text
    assert missing.status_code == 404 and "no alert with id 99999" in missing.text


def test_the_tester_page_works_without_javascript(seeded: Seeded) -> None:
    with seeded.client() as client:
        broken = client.get("/watchlists/test", params={"q": "Baghouz AND"})
        fine = client.get("/watchlists/test", params={"q": "Baghouz"}, headers=HTMX)
    assert broken.text.startswith("<!doctype html>")
    assert "column 12: the query ends where a term was expected" in broken.text
    assert '<mark class="caret" title="column 12">&nbsp;</mark>' in broken.text
    assert "<html" not in fine.text and f'data-story="{seeded.baghouz}"' in fine.text
