"""Replicas split pending entries: a claimed entry is nobody else's until done, failed or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, update

from monitor.storage.entries import claim_pending_entries
from monitor.storage.tables import entries, feeds

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _seed(engine: Engine, count: int) -> list[int]:
    with engine.begin() as conn:
        feed = conn.execute(insert(feeds).values(name="f", url="http://127.0.0.1/f", tags=["wire"],
                                                 next_check_at=NOW, created_at=NOW)).inserted_primary_key[0]
        return [conn.execute(insert(entries).values(
            feed_id=feed, key=f"k{n}", url=f"http://127.0.0.1/p{n}", title=f"t{n}",
            seen_at=NOW + timedelta(seconds=n), status="new")).inserted_primary_key[0] for n in range(count)]


def _claim(engine: Engine, owner: str, limit: int, now: datetime = NOW) -> list[int]:
    with engine.begin() as conn:
        claimed = claim_pending_entries(conn, now=now, owner=owner, limit=limit, lease_seconds=60)
    return [e.id for e in claimed]


def test_claims_are_disjoint_oldest_first_and_free_again_after_expiry(engine: Engine) -> None:
    ids = _seed(engine, 5)
    first = _claim(engine, "a", 2)
    second = _claim(engine, "b", 10)
    assert first == ids[:2] and second == ids[2:]
    assert _claim(engine, "c", 10) == []
    with engine.begin() as conn:  # one is done: never claimed again, even after expiry
        conn.execute(update(entries).where(entries.c.id == ids[0]).values(status="done"))
    assert _claim(engine, "c", 10, now=NOW + timedelta(seconds=61)) == ids[1:]


def test_claimed_entries_carry_their_feed(engine: Engine) -> None:
    _seed(engine, 1)
    with engine.begin() as conn:
        [entry] = claim_pending_entries(conn, now=NOW, owner="a", limit=1, lease_seconds=60)
    assert (entry.feed_name, entry.feed_tags, entry.attempts) == ("f", ("wire",), 0)
    assert entry.url == "http://127.0.0.1/p0"


@pytest.mark.postgres
def test_concurrent_claims_skip_each_others_rows(postgres_url: str) -> None:
    from monitor.storage.db import create_db_engine, migrate

    engine = create_db_engine(postgres_url)
    try:
        migrate(engine)
        ids = _seed(engine, 4)
        with engine.begin() as first:  # still open: its rows stay locked while the other claims
            mine = [e.id for e in claim_pending_entries(first, now=NOW, owner="a", limit=2, lease_seconds=60)]
            theirs = _claim(engine, "b", 10)  # does not wait for the first transaction
        assert mine == ids[:2] and theirs == ids[2:]
    finally:
        engine.dispose()
