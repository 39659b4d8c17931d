from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.errors import FetchError
from monitor.ingest.feedlist import add_by_url, export_all, import_opml, known_feed, status_rows
from monitor.models import FeedUpdate
from monitor.net.http import HttpFetcher
from monitor.storage.entries import claim_pending_entries, mark_entry_failed
from monitor.storage.feeds import get_feed, record_poll
from tests.faults.feeds import rss_bytes
from tests.faults.harness import TEST_HTTP, Harness
from tests.faults.server import FaultServer

PAGE = b"""<!DOCTYPE html><html><head><title>Site</title>
<link rel="alternate" type="application/rss+xml" href="/missing.xml">
<link rel="alternate" type="application/atom+xml" href="/feed.xml"></head><body></body></html>"""


def add(h: Harness, url: str, **kw: str):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        fetcher = HttpFetcher(TEST_HTTP)
        try:
            return await add_by_url(h.engine, fetcher, url, now=h.clock.now(), max_bytes=1_000_000, **kw)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def test_add_by_page_url_discovers_the_first_working_feed(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.routes["/"] = lambda r: r.respond(200, PAGE, content_type="text/html")
    fault_server.routes["/feed.xml"] = lambda r: r.respond(200, rss_bytes(2, title="Site news"))
    h = Harness(tmp_path)
    added = add(h, fault_server.url("/"), tags="")
    feed = added.feed
    assert feed.url == fault_server.url("/feed.xml") and added.via == fault_server.url("/")
    assert feed.name == "Site news" and not added.already
    # The new feed is due at once and polls like any other.
    report = h.cycle()
    assert report.new_entries == 2


def test_add_refuses_a_page_without_feeds(fault_server: FaultServer, tmp_path: Path) -> None:
    page = b"<html><body>hi</body></html>"
    fault_server.routes["/"] = lambda r: r.respond(200, page, content_type="text/html")
    with pytest.raises(FetchError, match="HTML page without feed links"):
        add(Harness(tmp_path), fault_server.url("/"))


def test_import_skips_known_feeds_and_status_rows_report_health(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.sync({"wire": "https://wire.example/rss"})
    opml = (b'<opml version="2.0"><body><outline text="Wire" xmlUrl="https://wire.example/rss"/>'
            b'<outline text="wire" xmlUrl="https://other.example/rss"/>'
            b'<outline text="New" xmlUrl="https://new.example/rss" category="x"/></body></opml>')
    report = import_opml(h.engine, opml, source="f.opml", now=h.clock.now())
    assert report.added == ["New"]
    assert len(report.skipped) == 2 and "already subscribed" in report.skipped[0]
    assert "already exists" in report.skipped[1]
    rows = {r["name"]: r for r in status_rows(h.engine)}
    assert rows["New"]["state"] == "new" and rows["New"]["tags"] == ["x"]
    assert status_rows(h.engine, errors_only=True) == []
    assert 'xmlUrl="https://new.example/rss"' in export_all(h.engine, now=h.clock.now())


def test_status_rows_show_failures(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.routes["/gone"] = lambda r: r.respond(410, b"")
    h = Harness(tmp_path)
    h.sync({"gone": fault_server.url("/gone")})
    h.cycle()
    (row,) = status_rows(h.engine, errors_only=True)
    assert row["state"] == "disabled" and "410 Gone" in row["disabled_reason"]
    assert row["last_error"] == "HTTP 410 Gone" and row["error_count"] == 1


def test_adding_a_known_feed_again_adds_nothing(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.routes["/"] = lambda r: r.respond(200, PAGE, content_type="text/html")
    fault_server.routes["/feed.xml"] = lambda r: r.respond(200, rss_bytes(2, title="Site news"))
    h = Harness(tmp_path)
    first = add(h, fault_server.url("/feed.xml"))
    requests = len(fault_server.seen)
    # The same URL (spelt differently): known before any request is made.
    again = add(h, fault_server.url("/feed.xml/").replace("http://", "HTTP://"))
    assert again.already and again.feed.id == first.feed.id and len(fault_server.seen) == requests
    # A page whose feed we have: found out by discovery, then not added.
    via_page = add(h, fault_server.url("/"))
    assert via_page.already and via_page.feed.id == first.feed.id and via_page.via == fault_server.url("/")
    assert [r["name"] for r in status_rows(h.engine)] == ["Site news"]


def test_a_config_feed_moved_by_a_301_is_still_known_by_its_config_url(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.sync({"wire": "https://wire.example/rss"})
    with h.engine.begin() as conn:
        feed = get_feed(conn, name="wire")
        assert feed is not None
        record_poll(conn, feed.id, FeedUpdate(checked_at=h.clock.now(), next_check_at=h.clock.now(),
                                              status=200, new_url="https://wire.example/new-rss"),
                    h.clock.now())
    assert known_feed(h.engine, "HTTPS://Wire.Example:443/rss") == "wire"
    assert known_feed(h.engine, "https://wire.example/new-rss") == "wire"
    assert known_feed(h.engine, "https://wire.example/other") is None


def test_status_rows_show_page_failures_of_a_feed_that_polls_fine(fault_server: FaultServer,
                                                                   tmp_path: Path) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, rss_bytes(2))
    h = Harness(tmp_path)
    h.sync({"good-feed-bad-pages": fault_server.url("/feed"), "quiet": fault_server.url("/feed?2")})
    h.cycle()
    assert status_rows(h.engine, errors_only=True) == []
    with h.engine.begin() as conn:
        pending = claim_pending_entries(conn, now=h.clock.now(), owner="t", limit=10, lease_seconds=60)
        for entry in pending:
            if entry.feed_name == "good-feed-bad-pages":
                final = entry.title == "Story 1"
                mark_entry_failed(conn, entry.id, f"{entry.url}: HTTP 404 Not Found", final=final)
    (row,) = status_rows(h.engine, errors_only=True)
    assert row["name"] == "good-feed-bad-pages" and row["state"] == "warning" and row["error_count"] == 0
    assert (row["pages_failed"], row["pages_retrying"]) == (1, 1)
    assert row["last_page_error"].endswith("HTTP 404 Not Found")
