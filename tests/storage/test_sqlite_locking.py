"""SQLite with jobs side by side: a transaction that reads, then writes, waits for another writer
instead of failing with "database is locked"; a long read (`reading`) holds no writer up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from monitor.storage.db import create_db_engine, migrate, reading
from monitor.storage.tables import feeds
from tests.storage.test_feed_repository import NOW


def _engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(insert(feeds).values(name="a", url="http://a.test/", tags=[], enabled=True,
                                          error_count=0, next_check_at=NOW, created_at=NOW))
    return engine


def test_a_transaction_that_reads_then_writes_waits_for_the_other_writer(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    read, written = threading.Event(), threading.Event()

    def other_writer() -> None:
        read.wait(10)
        with engine.begin() as conn:  # commits between the first one's read and its write
            conn.execute(update(feeds).values(error_count=feeds.c.error_count + 1))
        written.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with engine.begin() as conn:
        count = conn.scalar(select(feeds.c.error_count))
        read.set()
        time.sleep(0.3)  # the other one waits for our lock (it used to commit here, and our write failed)
        conn.execute(update(feeds).values(error_count=(count or 0) + 10))
    thread.join(10)
    assert written.is_set()
    with engine.connect() as conn:
        assert conn.scalar(select(feeds.c.error_count)) == 11  # both, one after the other
    engine.dispose()


def test_a_long_read_holds_no_writer_up(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with reading(engine) as conn:
        assert conn.scalar(select(feeds.c.name)) == "a"
        started = time.perf_counter()
        with engine.begin() as other:
            other.execute(update(feeds).values(error_count=5))
        assert time.perf_counter() - started < 5  # busy_timeout is 30 s: it did not wait for us
    engine.dispose()
