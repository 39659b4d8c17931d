"""Each bad behaviour: the cycle completes, the bad feed's state says what happened, the good feed works."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.faults.behaviours import BEHAVIOURS, Behaviour
from tests.faults.feeds import rss_bytes
from tests.faults.harness import Harness
from tests.faults.server import FaultServer, Request


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=[b.name for b in BEHAVIOURS])
def test_bad_feed_is_recorded_and_good_feed_still_polled(
    behaviour: Behaviour, fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.routes["/bad"] = behaviour.route
    fault_server.routes["/good"] = lambda r: r.respond(200, rss_bytes(3))
    h = Harness(tmp_path)
    h.sync({"bad": fault_server.url("/bad"), "good": fault_server.url("/good")})

    report = h.cycle()

    assert {o.name for o in report.outcomes} == {"bad", "good"}
    good = h.feed("good")
    assert good.last_error is None and good.error_count == 0
    assert h.titles("good") == ["Story 1", "Story 2", "Story 3"]

    bad = h.feed("bad")
    if behaviour.error is None:
        assert bad.last_error is None and bad.error_count == 0
    else:
        assert bad.last_error is not None and behaviour.error in bad.last_error
        assert bad.error_count == 1
    if behaviour.warning is not None:
        assert bad.warning is not None and behaviour.warning in bad.warning
    if behaviour.disabled is not None:
        assert not bad.enabled and bad.disabled_reason and behaviour.disabled in bad.disabled_reason
    else:
        assert bad.enabled
    if behaviour.entries is not None:
        assert len(h.titles("bad")) == behaviour.entries
    for title in behaviour.titles_include:
        assert title in h.titles("bad")
    assert bad.next_check_at is not None and bad.next_check_at > h.clock.now()
    if behaviour.min_delay_hours is not None:
        assert bad.next_check_at >= h.clock.now() + timedelta(hours=behaviour.min_delay_hours)
    assert not any("root:" in t for t in h.titles("bad"))
    assert bad.url.endswith(behaviour.url_endswith)


def test_not_modified_keeps_state_and_the_good_feed_runs(fault_server: FaultServer, tmp_path: Path) -> None:
    def conditional(r: Request) -> None:
        if r.headers.get("if-none-match") == '"abc"':
            r.respond(304, headers={"ETag": '"abc"'}, content_type=None)
        else:
            r.respond(200, rss_bytes(2), {"ETag": '"abc"'})

    fault_server.routes["/cond"] = conditional
    fault_server.routes["/good"] = lambda r: r.respond(200, rss_bytes(3))
    h = Harness(tmp_path)
    h.sync({"cond": fault_server.url("/cond"), "good": fault_server.url("/good")})
    h.cycle()
    h.clock.advance(24 * 3600)
    report = h.cycle()
    assert {o.name: o.status for o in report.outcomes}["cond"] == "not modified"
    cond = h.feed("cond")
    assert cond.etag == '"abc"' and cond.last_status == 304 and cond.last_error is None
    assert len(h.titles("cond")) == 2 and len(h.titles("good")) == 3
