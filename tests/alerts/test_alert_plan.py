"""Planning: idempotent rows, stable ids, and story updates threaded under the first alert."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from monitor.alerts import StoryUpdates, WatchlistDelivery, build_channels, plan_alerts
from monitor.alerts.ids import alert_message_id, digest_message_id
from monitor.clock import FakeClock
from monitor.models import Match
from monitor.storage import stories as story_repository
from tests.alerts.conftest import add_article, add_story
from tests.alerts.helpers import email_settings, plan, rows, run
from tests.alerts.servers import SmtpServer

UPDATES = WatchlistDelivery(updates=StoryUpdates(new_languages=True, more_sources=2))


def grow(engine: Engine, clock: FakeClock, story: int, title: str, language: str, source: str) -> None:
    """A member joins: its article, and the story's summary row (what alerts are planned from)."""
    with engine.begin() as conn:
        add_article(conn, story, title, language, source, fetched=clock.now())
        story_repository.add_member(conn, story, language=language, source=source, now=clock.now())


def test_planning_twice_adds_nothing_and_each_channel_gets_its_row(engine: Engine, clock: FakeClock) -> None:
    story = add_story(engine, "Port strike")
    assert plan(engine, clock, [story], channels=("mail", "hook", "mail")) == 2
    assert plan(engine, clock, [story], channels=("mail", "hook")) == 0
    planned = rows(engine)
    assert sorted(r.message_id for r in planned) == sorted(
        alert_message_id(story, "energy", c, 0) for c in ("hook", "mail"))
    assert planned[0].payload.why == "pipeline in title" and planned[0].payload.score == 0.8


def test_message_ids_are_unique_for_look_alike_names() -> None:
    ids = {alert_message_id(1, w, c, 0) for w, c in [("a b", "c"), ("a_b", "c"), ("a.b", "c"), ("a", "b.c"),
                                                     ("ä", "c"), ("a", "c")]}
    assert len(ids) == 6
    assert all(i.startswith("<story-1.") and i.endswith("@news-monitor>") and " " not in i for i in ids)
    long = alert_message_id(1, "w" * 200, "c" * 200, 3)
    assert len(long) < 255 and long != alert_message_id(1, "w" * 199, "c" * 200, 3)
    assert digest_message_id("w", "c", 7, 1) != digest_message_id("w", "c", 7, 2)


def test_a_new_language_after_the_alert_sends_an_update_threaded_under_it(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Refinery fire")
    channels = build_channels({"mail": email_settings(smtp)})
    watchlists = {"energy": UPDATES}
    plan(engine, clock, [story], policy=UPDATES)
    grow(engine, clock, story, "Raffineriebrand", "de", "Blatt")  # before the first alert went out
    assert plan(engine, clock, [story], policy=UPDATES) == 0  # the pending alert will show it
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    assert plan(engine, clock, [story], policy=UPDATES) == 0  # nothing new since the alert
    grow(engine, clock, story, "Incendie de raffinerie", "fr", "Le Jour")
    assert plan(engine, clock, [story], policy=UPDATES) == 1
    assert plan(engine, clock, [story], policy=UPDATES) == 0
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    first, update = smtp.recorder.messages
    assert "Raffineriebrand" in first.get_body(("plain",)).get_content()
    assert update["Message-ID"] == alert_message_id(story, "energy", "mail", 1)
    assert update["In-Reply-To"] == first["Message-ID"]
    assert update["References"] == first["Message-ID"]
    assert str(update["Subject"]) == "[energy] Update: Refinery fire"
    assert "now also in fr" in update.get_body(("plain",)).get_content()


def test_more_sources_in_the_same_language_trigger_an_update_only_past_the_threshold(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Grid outage")
    channels = build_channels({"mail": email_settings(smtp)})
    plan(engine, clock, [story], policy=UPDATES)
    run(engine, channels, clock, watchlists={"energy": UPDATES})
    grow(engine, clock, story, "Grid outage hits city", "en", "Daily")
    assert plan(engine, clock, [story], policy=UPDATES) == 0  # one more outlet: below 2
    grow(engine, clock, story, "Blackout across the grid", "en", "Herald")
    assert plan(engine, clock, [story], policy=UPDATES) == 1
    assert [r.update_seq for r in rows(engine)] == [0, 1]
    assert rows(engine)[1].payload.new_sources == ("Daily", "Herald")


def test_updates_are_off_by_default(engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Grid outage")
    plan(engine, clock, [story])
    run(engine, build_channels({"mail": email_settings(smtp)}), clock)
    grow(engine, clock, story, "Stromausfall", "de", "Blatt")
    assert plan(engine, clock, [story]) == 0


def test_growth_shown_by_the_alert_itself_is_not_reported_again_as_an_update(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Refinery fire")
    plan(engine, clock, [story], policy=UPDATES)
    grow(engine, clock, story, "Raffineriebrand", "de", "Blatt")  # no planning between growth and send
    run(engine, build_channels({"mail": email_settings(smtp)}), clock, watchlists={"energy": UPDATES})
    assert "Raffineriebrand" in smtp.recorder.messages[0].get_body(("plain",)).get_content()
    assert plan(engine, clock, [story], policy=UPDATES) == 0
    assert rows(engine)[0].payload.languages == ("de", "en")


def test_each_story_is_loaded_once_however_many_watchlists_match_it(
        engine: Engine, clock: FakeClock, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    story = add_story(engine, "Port strike")
    loads: list[int] = []
    load = story_repository.load_outline
    monkeypatch.setattr(story_repository, "load_outline", lambda conn, i: loads.append(i) or load(conn, i))
    digest = WatchlistDelivery(mode="digest")
    watchlists = {name: digest for name in ("ports", "labour", "shipping")}
    matches = [Match(story_id=s, watchlist=w, channels=("mail",), score=0.8)
               for w in watchlists for s in (story, story + 1000)]  # the second story does not exist
    with engine.begin() as conn:
        assert plan_alerts(conn, matches, watchlists=watchlists, now=clock.now()) == 3
    assert loads == [story, story + 1000]
    loads.clear()
    clock.advance(20 * 3600)  # past the 08:00 digests: one per watchlist, all showing the same story
    report = run(engine, build_channels({"mail": email_settings(smtp)}), clock, watchlists=watchlists)
    assert report.sent == 3 and loads == [story]
