"""Story and article repositories on a real migrated database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitor.models import Article, Hit, Match
from monitor.storage import articles as article_repo
from monitor.storage import stories as story_repo
from monitor.storage.db import create_db_engine, migrate, table_names
from monitor.storage.tables import story_matches

NOW = datetime(2019, 2, 13, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path}/db/monitor.db")
    migrate(engine)
    migrate(engine)  # applying again is a no-op
    return engine


def article(url: str, language: str, source: str) -> Article:
    return Article(url=url, canonical_url=url, title=f"title {url}", text="body " * 50,
                   language=language, published=NOW, source=source)


def keys(story_id: int) -> article_repo.ArticleKeys:
    return article_repo.ArticleKeys(story_id=story_id, text_hash="h", simhash=-5, vector=b"\0" * 8,
                                    vector_model="m", score=1.0, reason="new")


def test_schema_has_every_table(engine: Engine) -> None:
    assert {"feeds", "entries", "articles", "stories", "story_matches", "outbox"} <= set(table_names(engine))


def test_story_accumulates_languages_and_sources(engine: Engine) -> None:
    with engine.begin() as conn:
        first = article("https://a.example/1", "ar", "gulf-daily")
        story_id = story_repo.create_story(conn, first, now=NOW)
        for a in (first, article("https://b.example/2", "hi", "hindi-news"),
                  article("https://c.example/3", "ar", "levant")):
            article_repo.insert_article(conn, a, keys(story_id), feed_id=None, now=NOW)
            story_repo.add_member(conn, story_id, a, now=NOW)
        story = story_repo.load_story(conn, story_id)
        assert story.languages == ("ar", "hi")
        assert story.sources == ("gulf-daily", "hindi-news", "levant")
        assert len(story.articles) == 3 and story.articles[0].vector == b"\0" * 8
        assert article_repo.find_by_canonical_url(conn, "https://b.example/2") == (2, story_id)
        assert article_repo.find_by_canonical_url(conn, "https://nowhere.example/") is None
        assert [a.article_id for a in article_repo.iter_articles(conn, after_id=1, batch=1)] == [2, 3]


def test_matches_are_recorded_once_per_story_and_watchlist(engine: Engine) -> None:
    with engine.begin() as conn:
        story_id = story_repo.create_story(conn, article("https://a.example/1", "en", "x"), now=NOW)
        match = Match(story_id=story_id, watchlist="w", channels=("c",), score=1.0,
                      hits=(Hit(term="Baghouz", field="title"),))
        story_repo.record_matches(conn, [match], now=NOW)
        story_repo.record_matches(conn, [match], now=NOW)
        assert conn.scalar(select(func.count()).select_from(story_matches)) == 1
        explanation = conn.execute(select(story_matches.c.explanation)).scalar_one()
        assert explanation[0]["term"] == "Baghouz"


def test_a_bridging_article_folds_one_story_into_another_unless_alerted(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = []
        for url, language in (("https://a.example/ar", "ar"), ("https://b.example/hi", "hi"),
                              ("https://c.example/en", "en")):
            a = article(url, language, f"outlet-{language}")
            story_id = story_repo.create_story(conn, a, now=NOW)
            article_repo.insert_article(conn, a, keys(story_id), feed_id=None, now=NOW)
            story_repo.add_member(conn, story_id, a, now=NOW)
            ids.append(story_id)
        story_repo.mark_alerted(conn, [ids[2]])
        story_repo.record_matches(conn, [Match(story_id=ids[1], watchlist="w", channels=("c",))], now=NOW)

        assert story_repo.merge_stories(conn, ids[0], ids[1])
        merged = story_repo.load_story(conn, ids[0])
        assert merged.languages == ("ar", "hi") and len(merged.articles) == 2
        assert story_repo.list_story_ids(conn, since=NOW) == [ids[0], ids[2]]
        assert conn.scalar(select(func.count()).select_from(story_matches)) == 0

        assert not story_repo.merge_stories(conn, ids[0], ids[2])  # alerted: keeps its id for good
        assert story_repo.load_story(conn, ids[2]).languages == ("en",)
