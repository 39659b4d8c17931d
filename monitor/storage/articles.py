"""Repository for articles: stored once per canonical URL, with their duplicate keys and vector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from monitor.models import Article, StoredArticle
from monitor.storage.tables import articles


@dataclass(frozen=True)
class ArticleKeys:
    """What story assignment decided and computed for an article, stored beside it."""

    story_id: int
    text_hash: str
    simhash: int | None
    vector: bytes | None
    vector_model: str | None
    score: float
    reason: str


def find_by_canonical_url(conn: Connection, canonical_url: str) -> tuple[int, int | None] | None:
    """(article id, story id) of the article stored under this canonical URL, if any."""
    row = conn.execute(
        select(articles.c.id, articles.c.story_id).where(articles.c.canonical_url == canonical_url)
    ).first()
    return (row.id, row.story_id) if row else None


def insert_article(conn: Connection, article: Article, keys: ArticleKeys, *, feed_id: int | None,
                   now: datetime) -> int:
    result = conn.execute(articles.insert().values(
        canonical_url=article.canonical_url, url=article.url, feed_id=feed_id, source=article.source,
        title=article.title, text=article.text, language=article.language,
        published_at=article.published, fetched_at=now, text_hash=keys.text_hash,
        simhash=keys.simhash, vector=keys.vector, vector_model=keys.vector_model,
        story_id=keys.story_id, story_score=keys.score, story_reason=keys.reason,
    ))
    return int(result.inserted_primary_key[0])


def iter_articles(conn: Connection, *, since: datetime | None = None, after_id: int = 0,
                  batch: int = 500) -> Iterator[StoredArticle]:
    """Stored articles that have a story, in id order (what rebuilds the story window)."""
    last = after_id
    while True:
        query = (select(articles).where(articles.c.id > last, articles.c.story_id.is_not(None))
                 .order_by(articles.c.id).limit(batch))
        if since is not None:
            query = query.where(articles.c.fetched_at >= since)
        rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield StoredArticle(
                article_id=row.id, story_id=row.story_id, title=row.title, text=row.text,
                language=row.language, published=row.published_at, fetched=row.fetched_at,
                text_hash=row.text_hash, simhash=row.simhash, vector=row.vector,
                vector_model=row.vector_model,
            )
        last = rows[-1].id
