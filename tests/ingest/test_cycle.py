from __future__ import annotations

from pathlib import Path

from tests.faults.feeds import item, rss
from tests.faults.harness import Harness
from tests.faults.server import FaultServer, Request


def test_happy_path_stores_new_entries_once(fault_server: FaultServer, tmp_path: Path) -> None:
    doc = rss([item(1), item(2), item(3)]).encode()
    fault_server.routes["/feed"] = lambda r: r.respond(200, doc, {"ETag": '"v1"'})
    h = Harness(tmp_path)
    h.sync({"news": fault_server.url("/feed")})

    report = h.cycle()

    assert report.new_entries == 3
    assert [o.status for o in report.outcomes] == ["200 OK, 3 new"]
    assert h.titles("news") == ["Story 1", "Story 2", "Story 3"]
    feed = h.feed("news")
    assert feed.etag == '"v1"' and feed.error_count == 0 and feed.last_success_at == h.clock.now()
    assert feed.next_check_at is not None and feed.next_check_at > h.clock.now()

    # Not due yet: nothing is polled.
    assert h.cycle().outcomes == ()
    # Due again, same document: no entry twice.
    h.clock.advance(7 * 3600)
    again = h.cycle()
    assert again.new_entries == 0 and len(again.outcomes) == 1
    assert len(h.titles("news")) == 3


def test_conditional_get_sends_validators_and_handles_304(fault_server: FaultServer, tmp_path: Path) -> None:
    doc = rss().encode()

    def route(r: Request) -> None:
        if r.headers.get("if-none-match") == '"v1"':
            r.respond(304, headers={"ETag": '"v1"'}, content_type=None)
        else:
            r.respond(200, doc, {"ETag": '"v1"', "Last-Modified": "Thu, 01 Jan 2026 10:00:00 GMT"})

    fault_server.routes["/feed"] = route
    h = Harness(tmp_path)
    h.sync({"news": fault_server.url("/feed")})
    h.cycle()
    h.clock.advance(7 * 3600)
    report = h.cycle()
    assert [o.status for o in report.outcomes] == ["not modified"]
    sent = fault_server.requests_to("/feed")[-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Thu, 01 Jan 2026 10:00:00 GMT"
    assert h.feed("news").last_status == 304 and h.feed("news").error_count == 0
