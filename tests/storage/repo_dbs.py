"""A database URL fixture for the feed/entry repository tests: a SQLite file, and a scratch
PostgreSQL database when MONITOR_TEST_POSTGRES_URL names a reachable server (else that case skips)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


def _postgres(name: str) -> Iterator[str]:
    raw = os.environ.get("MONITOR_TEST_POSTGRES_URL")
    if not raw:
        pytest.skip("MONITOR_TEST_POSTGRES_URL is not set; .ci/run sets it for the PostgreSQL cases")
    admin = create_engine(raw, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL unusable: {type(exc).__name__}: {exc}")
    try:
        yield make_url(raw).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def repo_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _postgres(f"monitor_ingest_{os.getpid()}_{uuid.uuid4().hex[:8]}")
