from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from monitor.ingest.parse import entry_key
from monitor.ingest.settings import FeedSpec
from monitor.models import Entry
from monitor.storage.entries import (
    claim_pending_entries,
    insert_new_entries,
    mark_entry_done,
    mark_entry_failed,
)
from monitor.storage.feeds import get_feed, sync_feeds

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(n: int) -> Entry:
    return Entry(key=entry_key(f"g{n}", None, "", ""), url=f"https://x.example/{n}", title=f"T{n}",
                 guid=f"g{n}", published=NOW)


def test_only_unseen_entries_are_stored_and_queued(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_feeds(conn, [FeedSpec(name="wire", url="https://x.example/feed", tags=("en", "wire"))], NOW)
        feed = get_feed(conn, name="wire")
        assert feed is not None
        first = insert_new_entries(conn, feed.id, [entry(1), entry(2), entry(1)], NOW)
        assert [e.title for _, e in first] == ["T1", "T2"]
        second = insert_new_entries(conn, feed.id, [entry(2), entry(3)], NOW)
        assert [e.title for _, e in second] == ["T3"]
        pending = claim_pending_entries(conn, now=NOW, owner="a", limit=10, lease_seconds=60)
        assert [p.title for p in pending] == ["T1", "T2", "T3"]
        assert claim_pending_entries(conn, now=NOW, owner="b", limit=10, lease_seconds=60) == []
        assert pending[0].feed_name == "wire" and pending[0].feed_tags == ("en", "wire")
        assert pending[0].url == "https://x.example/1" and pending[0].published == NOW

        mark_entry_done(conn, first[0][0], None)
        mark_entry_failed(conn, first[1][0], "HTTP 503", final=False)
        later = NOW + timedelta(seconds=61)  # the leases have run out: what is still new is queued again
        queued = claim_pending_entries(conn, now=later, owner="b", limit=10, lease_seconds=60)
        assert [(p.title, p.attempts) for p in queued] == [("T2", 1), ("T3", 0)]
        mark_entry_failed(conn, first[1][0], "HTTP 503", final=True)
        even_later = later + timedelta(seconds=61)
        assert [p.title for p in claim_pending_entries(conn, now=even_later, owner="c", limit=10,
                                                       lease_seconds=60)] == ["T3"]
