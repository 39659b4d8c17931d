"""Shared fixtures: database URLs for SQLite and PostgreSQL.

`db_url` runs a test once on a SQLite file and once on a scratch PostgreSQL database, so storage
code is checked on both. PostgreSQL comes from MONITOR_TEST_POSTGRES_URL (`.ci/run` sets it up);
without it the PostgreSQL cases skip and say why. Each test gets its own empty database, dropped after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor.storage.db import create_db_engine, migrate
from tests.scratch_db import create_scratch_database, drop_scratch_database

POSTGRES_ENV = "MONITOR_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the server named by MONITOR_TEST_POSTGRES_URL (skips when unusable)."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        pytest.skip(f"{POSTGRES_ENV} is not set; run .ci/run (or export it) to run the PostgreSQL tests")
    engine = create_engine(raw, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL at {make_url(raw).render_as_string(hide_password=True)} is unreachable: "
                    f"{type(exc.orig or exc).__name__}: {str(exc.orig or exc).strip()}")
    yield engine
    engine.dispose()


def _scratch_url(admin: Engine, name: str) -> URL:
    return admin.url.set(database=name)


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped (connections and all) afterwards."""
    name = create_scratch_database(postgres_admin, f"monitor_t_{os.getpid()}")
    try:
        yield _scratch_url(postgres_admin, name).render_as_string(hide_password=False)
    finally:
        drop_scratch_database(postgres_admin, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on SQLite and on PostgreSQL (via `db_url`)."""
    eng = create_db_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()
