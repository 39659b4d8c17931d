"""Story and article repositories on a real migrated database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select

from monitor.models import Article, Hit, Match, Placement, StoredArticle
from monitor.storage import articles as article_repo
from monitor.storage import stories as story_repo
from monitor.storage.db import create_db_engine, migrate, table_names
from monitor.storage.story_store import DatabaseStoryStore
from monitor.storage.tables import story_matches

NOW = datetime(2019, 2, 13, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path}/monitor.db")
    migrate(engine)
    migrate(engine)  # applying again is a no-op
    return engine


def article(url: str, language: str, source: str) -> Article:
    return Article(url=url, canonical_url=url, title=f"title {url}", text="body " * 50,
                   language=language, published=NOW, source=source)


def pending(conn: Connection, a: Article) -> StoredArticle:
    """Stored by the content job, then claimed by the stories job (the earlier ones are leased)."""
    article_id, created = article_repo.insert_pending(conn, a, feed_id=None, text_hash=a.url, simhash=-5,
                                                      now=NOW)
    [claimed] = article_repo.claim_unplaced(conn, now=NOW, owner="t", limit=100, lease_seconds=60,
                                            max_attempts=3)
    assert created and claimed.article_id == article_id
    return claimed


def place(store: DatabaseStoryStore, a: StoredArticle, story_id: int | None = None) -> int:
    story_id = story_id if story_id is not None else store.new_story(a)
    store.place(a, Placement(story_id, 1.0, "new", vector=b"\0" * 8, vector_model="m"))
    return story_id


def test_schema_has_every_table(engine: Engine) -> None:
    assert {"feeds", "entries", "articles", "stories", "story_matches", "outbox"} <= set(table_names(engine))


def test_story_accumulates_languages_and_sources_in_placement_order(engine: Engine) -> None:
    with engine.begin() as conn:
        store = DatabaseStoryStore(conn, now=NOW)
        members = [pending(conn, article(url, lang, source)) for url, lang, source in (
            ("https://a.example/1", "ar", "gulf-daily"), ("https://b.example/2", "hi", "hindi-news"),
            ("https://c.example/3", "ar", "levant"))]
        story_id = place(store, members[2])  # placed in another order than stored
        place(store, members[0], story_id)
        place(store, members[1], story_id)
        story = story_repo.load_story(conn, story_id)
        assert story.languages == ("ar", "hi")
        assert story.sources == ("gulf-daily", "hindi-news", "levant")
        assert len(story.articles) == 3 and story.articles[0].vector == b"\0" * 8
        assert article_repo.find_by_canonical_url(conn, "https://b.example/2") == (2, story_id)
        assert article_repo.find_by_canonical_url(conn, "https://nowhere.example/") is None
        assert article_repo.insert_pending(conn, article("https://b.example/2", "hi", "x"), feed_id=None,
                                           text_hash="h", simhash=None, now=NOW) == (2, False)
        placed = list(article_repo.iter_placed(conn, after_seq=0, batch=1))
        assert [a.article_id for a in placed] == [3, 1, 2] and [a.placed_seq for a in placed] == [1, 2, 3]
        assert [a.article_id for a in article_repo.iter_placed(conn, after_seq=1)] == [1, 2]


def test_matches_are_recorded_once_per_story_and_watchlist(engine: Engine) -> None:
    with engine.begin() as conn:
        story_id = story_repo.create_story(conn, "a title", now=NOW)
        match = Match(story_id=story_id, watchlist="w", channels=("c",), score=1.0,
                      hits=(Hit(term="Baghouz", field="title"),))
        story_repo.record_matches(conn, [match], now=NOW)
        story_repo.record_matches(conn, [match], now=NOW)
        assert conn.scalar(select(func.count()).select_from(story_matches)) == 1
        explanation = conn.execute(select(story_matches.c.explanation)).scalar_one()
        assert explanation[0]["term"] == "Baghouz"


def test_a_bridging_article_folds_one_story_into_another_unless_alerted(engine: Engine) -> None:
    with engine.begin() as conn:
        store = DatabaseStoryStore(conn, now=NOW)
        ids = [place(store, pending(conn, article(url, lang, f"outlet-{lang}"))) for url, lang in (
            ("https://a.example/ar", "ar"), ("https://b.example/hi", "hi"), ("https://c.example/en", "en"))]
        story_repo.mark_alerted(conn, [ids[2]])
        story_repo.record_matches(conn, [Match(story_id=ids[1], watchlist="w", channels=("c",))], now=NOW)

        last = store.merge(ids[0], ids[1])
        assert last == 4  # the moved article is numbered anew: other replicas' windows see the move
        merged = story_repo.load_story(conn, ids[0])
        assert merged.languages == ("ar", "hi") and len(merged.articles) == 2
        assert story_repo.list_story_ids(conn, since=NOW) == [ids[0], ids[2]]
        assert conn.scalar(select(func.count()).select_from(story_matches)) == 0
        moved = [(a.article_id, a.story_id) for a in article_repo.iter_placed(conn, after_seq=3)]
        assert moved == [(2, ids[0])]

        assert store.merge(ids[0], ids[2]) is None  # alerted: keeps its id for good
        assert story_repo.load_story(conn, ids[2]).languages == ("en",)


def test_a_story_that_changes_while_it_is_matched_is_matched_again(engine: Engine) -> None:
    with engine.begin() as conn:
        store = DatabaseStoryStore(conn, now=NOW)
        story_id = place(store, pending(conn, article("https://a.example/1", "en", "x")))
    claim = {"now": NOW, "limit": 10, "lease_seconds": 60, "max_attempts": 2}
    with engine.begin() as conn:
        [(claimed, seq)] = story_repo.claim_to_match(conn, owner="a", **claim)
        assert claimed == story_id and story_repo.claim_to_match(conn, owner="b", **claim) == []  # leased
        place(DatabaseStoryStore(conn, now=NOW), pending(conn, article("https://b.example/2", "de", "y")),
              story_id)  # a member joins while "a" matches
        story_repo.mark_matched(conn, story_id, seq, "a")
        [(again, newer)] = story_repo.claim_to_match(conn, owner="b", **claim)
        assert again == story_id and newer > seq
        story_repo.record_match_failure(conn, story_id, "boom", "b")
        story_repo.claim_to_match(conn, owner="b", **claim)
        story_repo.record_match_failure(conn, story_id, "boom again", "b")
        assert story_repo.claim_to_match(conn, owner="b", **claim) == []  # final until it changes
        story_repo.mark_to_match(conn, [story_id])  # `monitor backfill`
        assert story_repo.claim_to_match(conn, owner="b", **claim) == [(story_id, newer + 1)]
