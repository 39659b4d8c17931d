"""Digests, quiet hours and rate limits, end to end through a real webhook receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from monitor.alerts import QuietHours, WatchlistDelivery, build_channels
from monitor.clock import FakeClock
from tests.alerts.conftest import add_story
from tests.alerts.helpers import plan, rows, run, webhook_settings
from tests.alerts.servers import WebhookReceiver


def documents(webhook: WebhookReceiver) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(r.body) for r in webhook.accepted()]


def story_ids(document: dict) -> list[int]:  # type: ignore[type-arg]
    return [s["id"] for s in document["stories"]]


def test_a_digest_watchlist_sends_one_message_per_period_listing_each_story_once(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    policy = WatchlistDelivery(mode="digest", digest_cron="0 8 * * *", timezone="Europe/Berlin")
    watchlists = {"energy": policy}
    channels = build_channels({"hook": webhook_settings(webhook)})
    first = [add_story(engine, f"Story {n}", [(f"Geschichte {n}", "de", "Blatt")]) for n in range(3)]
    plan(engine, clock, first, channels=("hook",), policy=policy)
    plan(engine, clock, first[:2], channels=("hook",), policy=policy)  # matched again: no new rows
    assert run(engine, channels, clock, watchlists=watchlists).sent == 0  # not yet 08:00 Berlin
    clock.set(datetime(2026, 3, 3, 6, 59, tzinfo=UTC))
    assert run(engine, channels, clock, watchlists=watchlists).sent == 0
    clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))  # 08:00 CET
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    later = add_story(engine, "Story 3")
    plan(engine, clock, [later], channels=("hook",), policy=policy)
    clock.set(datetime(2026, 3, 4, 7, 0, tzinfo=UTC))
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    assert run(engine, channels, clock, watchlists=watchlists).sent == 0
    day1, day2 = documents(webhook)
    assert day1["kind"] == "digest" and story_ids(day1) == first and story_ids(day2) == [later]
    assert day1["id"] != day2["id"]
    assert day1["subject"] == "[energy] 3 stories: Story 0"


def test_quiet_hours_hold_alerts_and_release_them_after(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    policy = WatchlistDelivery(quiet_hours=QuietHours(start="22:00", end="07:00"), timezone="Europe/Berlin")
    watchlists = {"energy": policy}
    channels = build_channels({"hook": webhook_settings(webhook)})
    clock.set(datetime(2026, 3, 2, 20, 30, tzinfo=UTC))  # 21:30 Berlin: not quiet yet
    early = add_story(engine, "Before the quiet")
    plan(engine, clock, [early], channels=("hook",), policy=policy)
    clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))  # 22:30 Berlin: planned early, due now, held
    night = add_story(engine, "In the night")
    plan(engine, clock, [night], channels=("hook",), policy=policy)
    report = run(engine, channels, clock, watchlists=watchlists)
    assert report.sent == 0 and report.deferred == 1
    clock.set(datetime(2026, 3, 3, 5, 59, tzinfo=UTC))  # 06:59 Berlin
    assert run(engine, channels, clock, watchlists=watchlists).sent == 0
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 07:00 Berlin: released, in order
    assert run(engine, channels, clock, watchlists=watchlists).sent == 2
    assert [story_ids(d) for d in documents(webhook)] == [[early], [night]]


def test_quiet_hours_can_fold_into_the_next_digest(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    policy = WatchlistDelivery(quiet_hours=QuietHours(start="22:00", end="07:00", fold_into_digest=True),
                               digest_cron="30 7 * * *")
    channels = build_channels({"hook": webhook_settings(webhook)})
    clock.set(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    night = [add_story(engine, f"Night story {n}") for n in range(3)]
    plan(engine, clock, night, channels=("hook",), policy=policy)
    for hour in (7, 7.5):
        clock.set(datetime(2026, 3, 3, int(hour), int(hour % 1 * 60), tzinfo=UTC))
        run(engine, channels, clock, watchlists={"energy": policy})
    [digest] = documents(webhook)
    assert digest["kind"] == "digest" and story_ids(digest) == night
    assert {r.state for r in rows(engine)} == {"sent"}


def test_the_rate_limit_folds_the_overflow_into_a_digest(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    policy = WatchlistDelivery(rate_limit_per_hour=2)
    watchlists = {"energy": policy}
    channels = build_channels({"hook": webhook_settings(webhook)})
    ids = [add_story(engine, f"Busy story {n}") for n in range(5)]
    plan(engine, clock, ids, channels=("hook",), policy=policy)
    report = run(engine, channels, clock, watchlists=watchlists)
    assert report.sent == 2 and report.deferred == 3
    clock.advance(1800)
    assert run(engine, channels, clock, watchlists=watchlists).sent == 0
    clock.advance(1800)
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    sent = documents(webhook)
    assert [d["kind"] for d in sent] == ["alert", "alert", "digest"]
    assert [story_ids(d) for d in sent] == [ids[:1], ids[1:2], ids[2:]]
    assert {r.state for r in rows(engine)} == {"sent"}


def test_a_retry_held_by_one_watchlists_quiet_hours_does_not_block_another_watchlist(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    night = WatchlistDelivery(quiet_hours=QuietHours(start="22:00", end="07:00"))
    watchlists = {"energy": night, "markets": WatchlistDelivery()}
    channels = build_channels({"hook": webhook_settings(webhook)})
    clock.set(datetime(2026, 3, 2, 21, 59, tzinfo=UTC))
    quiet_story = add_story(engine, "Held at night")
    plan(engine, clock, [quiet_story], channels=("hook",), policy=night)
    webhook.script.append("500")
    assert run(engine, channels, clock, watchlists=watchlists).retrying == 1
    clock.set(datetime(2026, 3, 2, 22, 5, tzinfo=UTC))
    assert run(engine, channels, clock, watchlists=watchlists).deferred == 1  # the retry waits for 07:00
    other = add_story(engine, "Markets move")
    plan(engine, clock, [other], watchlist="markets", channels=("hook",))
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1  # not stuck behind it
    clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    assert run(engine, channels, clock, watchlists=watchlists).sent == 1
    assert [story_ids(d) for d in documents(webhook)] == [[other], [quiet_story]]
