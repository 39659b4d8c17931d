"""Fixtures for the alert tests: a migrated SQLite database, stories in it, local servers."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.engine import make_url

from monitor.clock import FakeClock
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.tables import articles, stories
from tests.alerts.servers import SmtpServer, WebhookReceiver
from tests.scratch_db import create_scratch_database, drop_scratch_database

POSTGRES_ENV = "MONITOR_TEST_POSTGRES_URL"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, then a scratch PostgreSQL database when one is set."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
        return
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        pytest.skip(f"{POSTGRES_ENV} is not set (e.g. postgresql+psycopg://user:pw@127.0.0.1/db)")
    admin = create_engine(raw, isolation_level="AUTOCOMMIT")
    name = create_scratch_database(admin, "alerts")
    engine = create_db_engine(make_url(raw).set(database=name).render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        drop_scratch_database(admin, name)
        admin.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


def add_story(engine: Engine, title: str, members: Sequence[tuple[str, str, str]] = (),
              *, first_seen: datetime = START) -> int:
    """A story whose first article is `title` in English, plus (title, language, source) members."""
    rows = [(title, "en", "Wire"), *members]
    with engine.begin() as conn:
        story_id = conn.execute(insert(stories).values(
            title=title, first_seen_at=first_seen, last_seen_at=first_seen, article_count=len(rows),
            languages=sorted({r[1] for r in rows}), sources=sorted({r[2] for r in rows}),
        )).inserted_primary_key[0]
        for index, (member_title, language, source) in enumerate(rows):
            add_article(conn, story_id, member_title, language, source,
                        fetched=first_seen + timedelta(seconds=index))
    return int(story_id)


def add_article(conn, story_id: int, title: str, language: str, source: str, *,  # type: ignore[no-untyped-def]
                fetched: datetime) -> None:
    digest = hashlib.sha256(f"{story_id}:{title}:{source}".encode()).hexdigest()
    url = f"https://{source.lower().replace(' ', '-')}.example/{story_id}/{digest[:12]}"
    conn.execute(insert(articles).values(
        canonical_url=url, url=url, source=source, title=title, text="", language=language,
        published_at=fetched, fetched_at=fetched, text_hash=digest, story_id=story_id))
