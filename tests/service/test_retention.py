"""Retention deletes old articles, entries and empty stories, and keeps whatever was alerted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, text

from monitor.clock import FakeClock
from monitor.service.retention import run_retention
from monitor.storage.locks import RETENTION_LOCK_KEY
from monitor.storage.retention import prune
from monitor.storage.tables import articles, entries, feeds, outbox, stories, story_matches

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=100)
RECENT = NOW - timedelta(days=2)


class Seeder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.feed_id = conn.execute(insert(feeds).values(
            name="f", url="http://127.0.0.1/f", tags=[], next_check_at=NOW, created_at=NOW,
        )).inserted_primary_key[0]

    def story(self, title: str, when: datetime, alerted: bool = False) -> int:
        return self.conn.execute(insert(stories).values(
            title=title, first_seen_at=when, last_seen_at=when, article_count=0, languages=[], sources=[],
            alerted=alerted)).inserted_primary_key[0]

    def article(self, slug: str, fetched: datetime, story_id: int | None, vector: bool = True) -> int:
        return self.conn.execute(insert(articles).values(
            canonical_url=f"http://127.0.0.1/{slug}", url=f"http://127.0.0.1/{slug}", feed_id=self.feed_id,
            title=slug, text="text", fetched_at=fetched, text_hash=slug, story_id=story_id,
            vector=b"\0" * 16 if vector else None)).inserted_primary_key[0]

    def entry(self, key: str, seen: datetime, article_id: int | None, status: str = "done") -> None:
        self.conn.execute(insert(entries).values(
            feed_id=self.feed_id, key=key, url=None, title=key, seen_at=seen, status=status,
            article_id=article_id))

    def outbox(self, story_id: int, state: str) -> None:
        self.conn.execute(insert(outbox).values(
            story_id=story_id, watchlist="w", channel="mail", state=state, next_attempt_at=OLD,
            message_id=f"<{story_id}-{state}@x>", payload={}, created_at=OLD))


def _seed(engine: Engine) -> dict[str, Any]:
    with engine.begin() as conn:
        s = Seeder(conn)
        ids: dict[str, Any] = {}
        ids["flagged"] = s.story("flagged", OLD, alerted=True)
        ids["a_flagged"] = s.article("a-flagged", OLD, ids["flagged"])
        ids["sent"] = s.story("sent", OLD)
        ids["a_sent"] = s.article("a-sent", OLD, ids["sent"])
        s.outbox(ids["sent"], "sent")
        ids["failed"] = s.story("failed only", OLD)
        s.article("a-failed", OLD, ids["failed"])
        s.outbox(ids["failed"], "failed")
        ids["mixed"] = s.story("mixed", RECENT)
        s.article("a-mixed-old", OLD, ids["mixed"])
        ids["a_mixed_new"] = s.article("a-mixed-new", RECENT, ids["mixed"])
        ids["matched"] = s.story("matched, not alerted", OLD)
        s.article("a-matched", OLD, ids["matched"])
        conn.execute(insert(story_matches).values(story_id=ids["matched"], watchlist="w", score=1.0,
                                                  explanation=[], matched_at=OLD))
        loose = s.article("a-loose", OLD, None)
        s.entry("e-loose", OLD, loose)
        s.entry("e-flagged", OLD, ids["a_flagged"])
        s.entry("e-failed-old", OLD, None, status="failed")
        s.entry("e-new", RECENT, None, status="new")
    return ids


def _ids(engine: Engine, table: Any, column: str = "id") -> set[Any]:
    with engine.connect() as conn:
        return set(conn.execute(select(table.c[column])).scalars())


def test_prune_keeps_alerted_stories_and_recent_data(engine: Engine) -> None:
    ids = _seed(engine)
    with engine.begin() as conn:
        result = prune(conn, NOW, days=30)
    assert (result.articles, result.stories, result.entries) == (4, 2, 2)
    assert result.cutoff == NOW - timedelta(days=30)
    assert _ids(engine, stories) == {ids["flagged"], ids["sent"], ids["mixed"]}
    assert _ids(engine, articles) == {ids["a_flagged"], ids["a_sent"], ids["a_mixed_new"]}
    assert _ids(engine, entries, "key") == {"e-flagged", "e-new"}
    assert _ids(engine, story_matches, "story_id") == set()  # went with its story
    assert _ids(engine, outbox, "state") == {"sent"}  # the failed row went with its story
    with engine.connect() as conn:
        mixed_count = conn.execute(select(stories.c.article_count).where(stories.c.id == ids["mixed"]))
        assert mixed_count.scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(articles).where(
            articles.c.vector.is_not(None))).scalar_one() == 3


def test_prune_twice_deletes_nothing_more(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        prune(conn, NOW, days=30)
    with engine.begin() as conn:
        again = prune(conn, NOW, days=30)
    assert (again.articles, again.stories, again.entries) == (0, 0, 0)


def test_nothing_is_old_enough_with_a_long_retention(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        result = prune(conn, NOW, days=365)
    assert (result.articles, result.stories, result.entries) == (0, 0, 0)


def test_run_retention_off_and_on(engine: Engine) -> None:
    _seed(engine)
    clock = FakeClock(NOW)
    assert run_retention(engine, clock, None) is None
    result = run_retention(engine, clock, 30)
    assert result is not None and result.articles == 4


@pytest.mark.postgres
def test_only_one_replica_prunes_at_a_time(postgres_url: str) -> None:
    from monitor.storage.db import create_db_engine, migrate

    engine = create_db_engine(postgres_url)
    try:
        migrate(engine)
        _seed(engine)
        with engine.begin() as other:  # another replica is pruning right now
            other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": RETENTION_LOCK_KEY})
            assert run_retention(engine, FakeClock(NOW), 30) is None
        result = run_retention(engine, FakeClock(NOW), 30)
        assert result is not None and result.articles == 4
    finally:
        engine.dispose()


def test_retention_below_one_day_is_refused(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="at least 1 day"):
        prune(conn, NOW, days=0)
