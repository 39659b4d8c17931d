"""The feeds repository on SQLite and PostgreSQL: config sync, leases across processes, poll records."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitor.errors import StorageError
from monitor.ingest.settings import FeedSpec
from monitor.models import Entry, FeedUpdate
from monitor.storage.entries import insert_new_entries, mark_entry_failed, page_failures
from monitor.storage.feeds import (
    DISABLED_BY_HAND,
    REMOVED_FROM_CONFIG,
    add_feed,
    check_now,
    claim_due_feeds,
    get_feed,
    list_feeds,
    make_all_due,
    record_poll,
    remove_feed,
    rename_feed,
    set_enabled,
    sync_feeds,
)
from monitor.storage.tables import entries

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


ROOT = Path(__file__).resolve().parents[2]


def spec(name: str, url: str, **kw: object) -> FeedSpec:
    return FeedSpec.model_validate({"name": name, "url": url, **kw})


def test_sync_adds_updates_and_disables_removed(engine: Engine) -> None:
    with engine.begin() as conn:
        both = [spec("a", "https://a.example/feed"), spec("b", "https://b.example/rss")]
        report = sync_feeds(conn, both, NOW)
        assert report.added == 2
        manual = add_feed(conn, name="by-hand", url="https://c.example/feed", tags=["x"], now=NOW)
        report = sync_feeds(conn, [spec("a", "https://a.example/feed", tags=["en"], interval="10m")], NOW)
        assert (report.added, report.updated, report.disabled) == (0, 1, 1)
        a, b = get_feed(conn, name="a"), get_feed(conn, name="b")
        assert a is not None and a.tags == ("en",) and a.interval_seconds == 600
        assert b is not None and not b.enabled and b.disabled_reason == REMOVED_FROM_CONFIG
        # Feeds added by hand are not the config's to disable.
        assert get_feed(conn, name="by-hand") == manual and manual.enabled
        # Back in the config: enabled again.
        sync_feeds(conn, [spec("a", "https://a.example/feed"), spec("b", "https://b.example/rss")], NOW)
        b = get_feed(conn, name="b")
        assert b is not None and b.enabled and b.disabled_reason is None


def test_permanent_move_survives_the_next_sync_but_a_config_edit_wins(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [spec("a", "https://a.example/old")], NOW)
        feed = get_feed(conn, name="a")
        assert feed is not None
        update = FeedUpdate(checked_at=NOW, next_check_at=NOW + timedelta(hours=1), status=200, etag='"e"',
                            new_url="https://a.example/new")
        record_poll(conn, feed.id, update, NOW)
        sync_feeds(conn, [spec("a", "https://a.example/old")], NOW)
        moved = get_feed(conn, name="a")
        assert moved is not None and moved.url == "https://a.example/new" and moved.etag == '"e"'
        assert moved.warning == "moved permanently to https://a.example/new"
        sync_feeds(conn, [spec("a", "https://a.example/edited")], NOW)
        edited = get_feed(conn, name="a")
        assert edited is not None and edited.url == "https://a.example/edited" and edited.etag is None


def test_record_poll_counts_errors_and_success_resets(engine: Engine) -> None:
    later = NOW + timedelta(minutes=30)
    with engine.begin() as conn:
        sync_feeds(conn, [spec("a", "https://a.example/feed")], NOW)
        (feed,) = claim_due_feeds(conn, now=NOW, owner="p1", limit=10, lease_seconds=60)
        for _ in range(2):
            record_poll(conn, feed.id, FeedUpdate(checked_at=NOW, next_check_at=later, status=500,
                                                  error="HTTP 500 Internal Server Error"), NOW)
        failing = get_feed(conn, feed_id=feed.id)
        assert failing is not None and failing.error_count == 2 and failing.last_success_at is None
        assert [f.name for f in list_feeds(conn, errors_only=True)] == ["a"]
        record_poll(conn, feed.id, FeedUpdate(checked_at=later, next_check_at=later, status=200,
                                              new_entries=2), later)
        healthy = get_feed(conn, feed_id=feed.id)
        assert healthy is not None and healthy.error_count == 0 and healthy.last_error is None
        assert healthy.last_success_at == later and healthy.last_new_entry_at == later
        assert list_feeds(conn, errors_only=True) == []
        record_poll(conn, feed.id, FeedUpdate(checked_at=later, next_check_at=later, status=410,
                                              error="HTTP 410 Gone", disable_reason="gone"), later)
        gone = get_feed(conn, feed_id=feed.id)
        assert gone is not None and not gone.enabled and gone.disabled_reason == "gone"
        assert set_enabled(conn, "a", True, now=later) and not set_enabled(conn, "nope", True, now=later)
        back = get_feed(conn, feed_id=feed.id)
        assert back is not None and back.enabled and back.error_count == 0 and back.next_check_at == later


def test_leases_keep_a_feed_with_one_poller_until_released_or_expired(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [spec(f"f{i}", f"https://x.example/{i}") for i in range(3)], NOW)
        first = claim_due_feeds(conn, now=NOW, owner="p1", limit=2, lease_seconds=60)
        second = claim_due_feeds(conn, now=NOW, owner="p2", limit=10, lease_seconds=60)
        assert len(first) == 2 and len(second) == 1
        assert not {f.id for f in first} & {f.id for f in second}
        assert claim_due_feeds(conn, now=NOW, owner="p3", limit=10, lease_seconds=60) == []
        # p1 crashed: its leases run out and the feeds are claimable again.
        again = claim_due_feeds(conn, now=NOW + timedelta(seconds=61), owner="p3", limit=10, lease_seconds=60)
        assert len(again) == 3


def test_disable_by_hand_lasts_across_syncs_and_enable_undoes_it(engine: Engine) -> None:
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        sync_feeds(conn, [spec("a", "https://a.example/feed")], NOW)
        assert set_enabled(conn, "a", False, now=NOW)
        sync_feeds(conn, [spec("a", "https://a.example/feed")], later)  # the next start
        off = get_feed(conn, name="a")
        assert off is not None and not off.enabled and off.disabled_reason == DISABLED_BY_HAND
        assert claim_due_feeds(conn, now=later, owner="p", limit=10, lease_seconds=60) == []
        assert set_enabled(conn, "a", True, now=later)
        (due,) = claim_due_feeds(conn, now=later, owner="p", limit=10, lease_seconds=60)
        assert due.name == "a" and due.disabled_reason is None


def test_config_feeds_refuse_rename_and_remove_but_hand_added_ones_do_both(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [spec("conf", "https://a.example/feed")], NOW)
        feed = add_feed(conn, name="mine", url="https://b.example/feed", tags=[], now=NOW)
        insert_new_entries(conn, feed.id, [Entry(key="k1", url="https://b.example/1", title="t")], NOW)
    for change in (lambda c: rename_feed(c, "conf", "other"), lambda c: remove_feed(c, "conf")):
        with pytest.raises(StorageError, match="comes from the config file"), engine.begin() as conn:
            change(conn)
    with engine.begin() as conn, pytest.raises(StorageError, match="already exists"):
        rename_feed(conn, "mine", "conf")
    with engine.begin() as conn:
        assert rename_feed(conn, "mine", "renamed") and not rename_feed(conn, "nope", "x")
        renamed = get_feed(conn, name="renamed")
        assert renamed is not None and renamed.id == feed.id
        assert remove_feed(conn, "renamed") and not remove_feed(conn, "renamed")
        assert get_feed(conn, feed_id=feed.id) is None
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == 0
        assert [f.name for f in list_feeds(conn)] == ["conf"]


def test_a_feed_dropped_from_the_config_can_be_renamed_removed_or_kept(engine: Engine) -> None:
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        sync_feeds(conn, [spec("a", "https://a.example/feed"), spec("b", "https://b.example/feed")], NOW)
        sync_feeds(conn, [], NOW)  # both removed from the file: disabled, not deleted
        assert rename_feed(conn, "a", "kept")
        assert set_enabled(conn, "kept", True, now=later)
        sync_feeds(conn, [], later)  # it is a hand-added feed now: the sync leaves it on
        kept = get_feed(conn, name="kept")
        assert kept is not None and kept.enabled
        assert remove_feed(conn, "b")


def test_a_feed_renamed_in_the_config_keeps_its_row(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [spec("old", "https://a.example/feed")], NOW)
        before = get_feed(conn, name="old")
        report = sync_feeds(conn, [spec("new", "https://a.example/feed")], NOW)
        after = get_feed(conn, name="new")
        assert before is not None and after is not None and after.id == before.id and after.enabled
        assert (report.added, report.disabled) == (0, 0)
        assert get_feed(conn, name="old") is None


def test_check_now_and_make_all_due_bring_back_off_forward(engine: Engine) -> None:
    later = NOW + timedelta(hours=3)
    with engine.begin() as conn:
        sync_feeds(conn, [spec(n, f"https://{n}.example/feed") for n in ("a", "b", "c")], NOW)
        for feed in claim_due_feeds(conn, now=NOW, owner="p", limit=10, lease_seconds=60):
            record_poll(conn, feed.id, FeedUpdate(checked_at=NOW, next_check_at=later, status=None,
                                                  error="blocked"), NOW)
        set_enabled(conn, "c", False, now=NOW)
        assert claim_due_feeds(conn, now=NOW, owner="p", limit=10, lease_seconds=60) == []
        assert check_now(conn, "a", now=NOW) and not check_now(conn, "nope", now=NOW)
        assert [f.name for f in claim_due_feeds(conn, now=NOW, owner="p", limit=10, lease_seconds=1)] == ["a"]
        assert make_all_due(conn, now=NOW) == 1  # "b"; "a" is due already, "c" is off
        due = claim_due_feeds(conn, now=NOW + timedelta(seconds=2), owner="q", limit=10, lease_seconds=60)
        assert sorted(f.name for f in due) == ["a", "b"]


def test_page_failures_count_per_feed_with_the_newest_error(engine: Engine) -> None:
    with engine.begin() as conn:
        feed = add_feed(conn, name="f", url="https://f.example/feed", tags=[], now=NOW)
        items = [Entry(key=f"k{i}", url=f"https://f.example/{i}", title=str(i)) for i in range(4)]
        ids = [entry_id for entry_id, _ in insert_new_entries(conn, feed.id, items, NOW)]
        mark_entry_failed(conn, ids[0], "HTTP 404 Not Found", final=True)
        mark_entry_failed(conn, ids[1], "timed out after 20 s (read)", final=False)
        mark_entry_failed(conn, ids[2], "no article text", final=True)
        failures = page_failures(conn)
    assert set(failures) == {feed.id}
    assert (failures[feed.id].failed, failures[feed.id].retrying) == (2, 1)
    assert failures[feed.id].last_error == "no article text"


CLAIMER = """
import json, sys
from datetime import datetime, UTC
from monitor.storage.db import create_db_engine
from monitor.storage.feeds import claim_due_feeds
engine = create_db_engine(sys.argv[1])
now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
got = []
while True:
    with engine.begin() as conn:
        batch = claim_due_feeds(conn, now=now, owner=sys.argv[2], limit=3, lease_seconds=600)
    if not batch:
        break
    got += [f.id for f in batch]
print(json.dumps(got))
"""


def test_several_processes_never_claim_the_same_feed(db_url: str, engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [spec(f"f{i}", f"https://x.example/{i}") for i in range(90)], NOW)
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, db_url, f"p{i}"], stdout=subprocess.PIPE,
                              cwd=ROOT, env={"PYTHONPATH": str(ROOT)}) for i in range(4)]
    claimed = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    every = [feed_id for ids in claimed for feed_id in ids]
    assert len(every) == 90 and len(set(every)) == 90
