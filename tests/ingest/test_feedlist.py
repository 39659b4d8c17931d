from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.errors import FetchError
from monitor.ingest.feedlist import add_by_url, export_all, import_opml, status_rows
from monitor.net.http import HttpFetcher
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
    feed, via = add(h, fault_server.url("/"), tags="")
    assert feed.url == fault_server.url("/feed.xml") and via == fault_server.url("/")
    assert feed.name == "Site news"
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
