"""Replicas started at the same moment on a fresh PostgreSQL database all come up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.storage.db import create_db_engine, table_names

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
