"""The JSON API on a real loopback server: every endpoint, in the shapes of the CLI's `--json`, state
changes through the token only, and every route in the OpenAPI document."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import Engine, select
from starlette.routing import Route

from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.ingest.feedlist import status_rows
from monitor.service.health import HealthProbe
from monitor.storage import outbox
from monitor.storage.stories_export import get_story, list_stories
from monitor.storage.tables import feeds
from monitor.web.app import build_console
from monitor.web.server import start_web_server
from tests.web.conftest import NOW, Seeded, console_settings, make_context, seed


def _roundtrip(value: object) -> object:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def test_every_api_route_is_in_the_openapi_document(seeded: Seeded) -> None:
    with seeded.client() as client:
        document = client.get("/api/v1/openapi.json").json()
    app = build_console(seeded.context, HealthProbe(seeded.context.engine, 1))
    served = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith(("/api/", "/healthz", "/metrics")):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            served |= {(path, method.lower()) for method in route.methods or () if method != "HEAD"}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == documented
    assert document["openapi"].startswith("3.")


def test_stories_are_the_cli_shape_newest_first_with_filters_and_pages(seeded: Seeded) -> None:
    with seeded.context.engine.connect() as conn:
        cli = [s.to_json() for s in list_stories(conn)]
    with seeded.client() as client:
        everything = client.get("/api/v1/stories").json()
        assert everything["stories"] == _roundtrip(cli) and everything["total"] == 2

        def ids(**params: str) -> list[int]:
            return [s["id"] for s in client.get("/api/v1/stories", params=params).json()["stories"]]

        assert ids(language="ar") == [seeded.baghouz]
        assert ids(outlet="desk-ar") == [seeded.baghouz]
        assert ids(watchlist="syria") == [seeded.baghouz]
        assert ids(q="baghouz") == [seeded.baghouz]  # case-insensitive
        assert ids(q="الباغوز") == [seeded.baghouz]  # an article's headline, in Arabic
        assert ids(alerted="no") == [seeded.football]
        assert ids(q="100%_") == []  # LIKE wildcards are text
        second = client.get("/api/v1/stories", params={"per_page": "1", "page": "2"}).json()
        assert (second["total"], second["page"], len(second["stories"])) == (2, 2, 1)
        assert second["stories"][0]["id"] == cli[1]["id"]


def test_one_story_is_what_stories_show_prints(seeded: Seeded) -> None:
    with seeded.context.engine.connect() as conn:
        detail = get_story(conn, seeded.baghouz)
    assert detail is not None
    with seeded.client() as client:
        body = client.get(f"/api/v1/stories/{seeded.baghouz}").json()
        missing = client.get("/api/v1/stories/999999")
    assert body == _roundtrip(detail.to_json())
    assert [a["language"] for a in body["articles"]] == ["en", "ar"]
    assert {a["id"] for a in body["alerts"]} == {seeded.failed_alert, seeded.pending_alert}
    assert missing.status_code == 404 and "999999" in missing.json()["error"]


def test_feeds_are_the_cli_shape_with_articles_of_the_last_day(seeded: Seeded) -> None:
    with seeded.client() as client:
        listed = client.get("/api/v1/feeds").json()["feeds"]
        failing = client.get("/api/v1/feeds", params={"errors": "1"}).json()["feeds"]
    cli = status_rows(seeded.context.engine)
    assert [{k: v for k, v in row.items() if k != "articles_last_day"} for row in listed] == _roundtrip(cli)
    assert {row["name"]: row["articles_last_day"] for row in listed} == {
        "broken-feed": 0, "desk-ar": 1, "wire-en": 2}
    assert [row["name"] for row in failing] == ["broken-feed"]


def test_feed_changes_need_the_token_and_go_through_the_repository(seeded: Seeded) -> None:
    engine = seeded.context.engine
    with seeded.client() as anonymous, seeded.authed() as authed:
        refused = anonymous.post("/api/v1/feeds/disable", json={"name": "wire-en"})
        wrong = anonymous.post("/api/v1/feeds/disable", json={"name": "wire-en"},
                               headers={"Authorization": "Bearer not-the-token-at-all-000"})
        assert refused.status_code == 401 and wrong.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert _feed(engine, "wire-en").enabled  # nothing changed
        assert authed.post("/api/v1/feeds/disable", json={"name": "wire-en"}).status_code == 200
        assert not _feed(engine, "wire-en").enabled
        assert _feed(engine, "wire-en").disabled_reason.startswith("disabled by hand")
        assert authed.post("/api/v1/feeds/enable", json={"name": "broken-feed"}).status_code == 200
        broken = _feed(engine, "broken-feed")
        assert broken.enabled and broken.error_count == 0 and broken.next_check_at == NOW
        seeded.context.clock.advance(60)  # type: ignore[attr-defined]
        assert authed.post("/api/v1/feeds/check", json={"name": "desk-ar"}).status_code == 200
        assert _feed(engine, "desk-ar").next_check_at == NOW + timedelta(seconds=60)
        assert authed.post("/api/v1/feeds/check", json={"name": "nope"}).status_code == 404
        assert authed.post("/api/v1/feeds/rename", json={"name": "desk-ar"}).status_code == 404
        assert authed.post("/api/v1/feeds/check", content=b"not json").status_code == 400


def _feed(engine: Engine, name: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(feeds).where(feeds.c.name == name)).one()


def test_a_feed_is_added_by_the_url_of_a_page_that_links_to_it(seeded: Seeded) -> None:
    with SiteServer() as site, seeded.authed() as authed:
        site.put("/news.rss", rss("Loopback News", site.base_url, [FeedItem(
            title="Hello", link=site.url("/hello.html"), guid="1", published=NOW)]),
            "application/rss+xml; charset=utf-8")
        site.put("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/news.rss">'
                      "</head><body>home</body></html>")
        added = authed.post("/api/v1/feeds", json={"url": site.url("/"), "tags": ["local"]})
        again = authed.post("/api/v1/feeds", json={"url": site.url("/news.rss")})
        nothing = authed.post("/api/v1/feeds", json={"url": site.url("/missing")})
    assert added.status_code == 201, added.text
    assert "Loopback News" in added.json()["message"] and "found on the page" in added.json()["message"]
    row = _feed(seeded.context.engine, "Loopback News")
    assert row.url == site.url("/news.rss") and row.tags == ["local"]
    assert again.status_code == 200 and "already subscribed" in again.json()["message"]  # as the CLI says
    assert added.json()["added"] and not again.json()["added"]
    assert nothing.status_code == 422 and "404" in nothing.json()["message"]


def test_opml_goes_in_and_out(seeded: Seeded) -> None:
    opml = ('<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
            '<outline text="Imported" type="rss" xmlUrl="http://127.0.0.1:9/imported.rss"/>'
            '<outline text="Again" type="rss" xmlUrl="http://127.0.0.1:9/wire.rss"/></body></opml>')
    with seeded.authed() as authed, seeded.client() as anonymous:
        assert anonymous.post("/api/v1/feeds/import", content=opml).status_code == 401
        imported = authed.post("/api/v1/feeds/import", content=opml, headers={"Content-Type": "text/x-opml"})
        broken = authed.post("/api/v1/feeds/import", content=b"<opml")
        exported = anonymous.get("/api/v1/feeds/export")
    assert imported.status_code == 200
    assert "imported 1 feed(s), skipped 1" in imported.json()["message"]
    assert broken.status_code == 422 and "not valid XML" in broken.json()["message"]
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert "http://127.0.0.1:9/imported.rss" in exported.text and "wire.rss" in exported.text


def test_alerts_are_the_cli_shape_and_retry_and_send_now_change_their_state(seeded: Seeded) -> None:
    engine = seeded.context.engine
    with engine.connect() as conn:
        cli = [outbox.alert_to_json(row)
               for row in reversed(outbox.list_alerts(conn))]  # the API: newest first
    with seeded.client() as anonymous, seeded.authed() as authed:
        listed = anonymous.get("/api/v1/alerts").json()
        assert listed["alerts"] == cli and listed["total"] == 2
        assert {(c["state"], c["channel"], c["count"]) for c in listed["counts"]} == {
            ("failed", "ops-hook", 1), ("pending", "desk-email", 1)}
        failed = anonymous.get("/api/v1/alerts", params={"state": "failed"}).json()["alerts"]
        assert [a["id"] for a in failed] == [seeded.failed_alert]
        by_channel = anonymous.get("/api/v1/alerts", params={"channel": "desk-email"}).json()["alerts"]
        assert [a["id"] for a in by_channel] == [seeded.pending_alert]

        assert anonymous.post(f"/api/v1/alerts/{seeded.failed_alert}/retry").status_code == 401
        assert _state(seeded, seeded.failed_alert) == "failed"
        retried = authed.post(f"/api/v1/alerts/{seeded.failed_alert}/retry")
        assert retried.status_code == 200 and retried.json()["alert"]["state"] == "pending"
        assert retried.json()["alert"]["attempts"] == 0
        assert _state(seeded, seeded.failed_alert) == "pending"
        again = authed.post(f"/api/v1/alerts/{seeded.failed_alert}/retry")
        assert again.status_code == 409 and "is pending, not failed" in again.json()["message"]

        seeded.context.clock.advance(30)  # type: ignore[attr-defined]
        sent_now = authed.post(f"/api/v1/alerts/{seeded.pending_alert}/send-now")
        assert sent_now.status_code == 200
        assert sent_now.json()["alert"]["next_attempt_at"] == (NOW + timedelta(seconds=30)).isoformat()
        assert authed.post("/api/v1/alerts/999999/retry").status_code == 404
        assert authed.post(f"/api/v1/alerts/{seeded.pending_alert}/delete").status_code == 404


def _state(seeded: Seeded, alert_id: int) -> str:
    with seeded.context.engine.connect() as conn:
        return {row.id: row.state for row in outbox.list_alerts(conn)}[alert_id]


def test_watchlists_show_their_definition_and_matches_and_the_tester_answers(seeded: Seeded) -> None:
    with seeded.client() as client:
        listed = client.get("/api/v1/watchlists").json()
        broken = client.get("/api/v1/watchlists/test", params={"q": "(Baghouz OR الباغوز"})
        query = client.get("/api/v1/watchlists/test", params={"q": "(Baghouz OR الباغوز) -football"})
        terms = client.get("/api/v1/watchlists/test", params={"kind": "terms", "q": "cup final\nnothing"})
        about = client.get("/api/v1/watchlists/test", params={"kind": "about", "q": "battles in Syria"})
    (syria,) = listed["watchlists"]
    assert syria["name"] == "syria" and syria["definition"].startswith('name = "syria"')
    assert [m["id"] for m in syria["recent_matches"]] == [seeded.baghouz]
    assert listed["errors"] == []
    assert broken.status_code == 400
    assert broken.json() == {"error": "column 1: unclosed '('", "column": 0}
    assert [m["story_id"] for m in query.json()["matches"]] == [seeded.baghouz]
    assert query.json()["looked_at"] == 2
    assert {h["term"] for h in query.json()["matches"][0]["hits"]} >= {"Baghouz", "الباغوز"}
    assert [m["story_id"] for m in terms.json()["matches"]] == [seeded.football]
    assert about.status_code == 400 and "embedding model" in about.json()["error"]


def test_health_and_metrics_are_served_beside_the_console(seeded: Seeded) -> None:
    with seeded.client() as client:
        health = client.get("/healthz")
        metrics = client.get("/metrics")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "monitor_database_up 1.0" in metrics.text
    assert 'monitor_outbox_alerts{channel="ops-hook",state="failed"} 1.0' in metrics.text


class KeywordEmbedder:
    """A stand-in model: texts that mention Baghouz point one way, everything else the other."""

    name, dim = "keyword", 2

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        rows = [[1.0, 0.0] if ("baghouz" in t.lower() or "الباغوز" in t) else [0.0, 1.0] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def test_the_tester_tries_an_about_sentence_with_the_console_model(tmp_path: Path) -> None:
    context = dataclasses.replace(make_context(console_settings(tmp_path)), embedder=KeywordEmbedder())
    baghouz, *_ = seed(context)
    server = start_web_server(context)
    try:
        with httpx.Client(base_url=str(server.url), trust_env=False, timeout=10) as client:
            about = client.get("/api/v1/watchlists/test",
                               params={"kind": "about", "q": "The battle for Baghouz in eastern Syria"})
    finally:
        server.close()
        context.engine.dispose()
    assert about.status_code == 200, about.text
    (match,) = about.json()["matches"]
    assert match["story_id"] == baghouz
    assert match["hits"][0]["field"] == "about" and "sd above generic news" in match["hits"][0]["snippet"]
