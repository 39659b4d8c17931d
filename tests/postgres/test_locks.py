"""assignment_lock makes story assignment run one replica at a time on PostgreSQL; no-op on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from monitor.storage.db import create_db_engine
from monitor.storage.locks import ASSIGNMENT_LOCK_KEY, assignment_lock


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    engine.dispose()


def _waiting_for_advisory_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )).scalar_one())


@pytest.mark.postgres
def test_second_replica_waits_until_the_first_commits(pg_engine: Engine) -> None:
    order: list[str] = []
    second_done = threading.Event()

    def second_replica() -> None:
        with pg_engine.begin() as conn, assignment_lock(conn):
            order.append("second holds the lock")
        second_done.set()

    with pg_engine.begin() as conn:
        with assignment_lock(conn):
            order.append("first holds the lock")
        worker = threading.Thread(target=second_replica)
        worker.start()
        for _ in range(500):  # until PostgreSQL shows the second session queued on the lock
            if _waiting_for_advisory_lock(pg_engine) == 1 or second_done.wait(0.01):
                break
        # The `with` block has ended but the transaction has not: the lock is still held.
        assert _waiting_for_advisory_lock(pg_engine) == 1
        assert not second_done.is_set()
        order.append("first commits")
    worker.join(timeout=30)
    assert order == ["first holds the lock", "first commits", "second holds the lock"]


@pytest.mark.postgres
def test_lock_is_released_on_rollback(pg_engine: Engine) -> None:
    with pytest.raises(RuntimeError), pg_engine.begin() as conn, assignment_lock(conn):
        raise RuntimeError("assignment failed")
    with pg_engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ASSIGNMENT_LOCK_KEY})
        assert got.scalar_one() is True


def test_noop_on_sqlite(sqlite_url: str) -> None:
    # SQLite serialises writers itself (every transaction begins IMMEDIATE), so the lock adds
    # nothing: inside it the transaction works as usual, and it leaves nothing held behind.
    engine = create_db_engine(sqlite_url)
    try:
        for _ in range(2):
            with engine.begin() as conn, assignment_lock(conn):
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
