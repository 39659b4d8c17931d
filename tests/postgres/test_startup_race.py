"""Replicas started at the same moment on a fresh PostgreSQL database all come up."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.config import FeedSpec
from monitor.storage.db import create_db_engine, migrate, table_names
from monitor.storage.feeds import sync_feeds
from monitor.storage.tables import feeds

ROOT = Path(__file__).resolve().parents[2]

MIGRATE = """
import sys
from monitor.storage.db import create_db_engine, migrate
engine = create_db_engine(sys.argv[1])
migrate(engine)
engine.dispose()
"""


@pytest.mark.postgres
def test_concurrent_migrations_on_a_fresh_database(postgres_url: str) -> None:
    # Without the migration lock two of three fail: their CREATE TABLEs collide with the first's.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", MIGRATE, postgres_url], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    engine = create_db_engine(postgres_url)
    try:
        assert {"feeds", "articles", "stories", "outbox"} <= set(table_names(engine))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_replicas_syncing_the_same_new_feeds_at_once_all_succeed(postgres_url: str) -> None:
    # A SIGHUP sent to every replica after a config edit: each syncs the same new names at once.
    engine = create_db_engine(postgres_url)
    migrate(engine)
    specs = [FeedSpec(name=f"feed-{n}", url=f"https://x.example/{n}.rss") for n in range(30)]
    start = threading.Barrier(3)

    def sync() -> None:
        start.wait()
        with engine.begin() as conn:
            sync_feeds(conn, specs, datetime(2026, 1, 1, tzinfo=UTC))

    try:
        with ThreadPoolExecutor(3) as pool:
            for future in [pool.submit(sync) for _ in range(3)]:
                future.result(timeout=60)  # without the lock inside sync_feeds: UniqueViolation
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(feeds)) == 30
    finally:
        engine.dispose()
