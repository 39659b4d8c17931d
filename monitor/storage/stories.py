"""Repository for stories, their members' summary, and watchlist matches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.models import Article, Match, Story, StoryArticle
from monitor.storage.tables import articles, feeds, stories, story_matches


def create_story(conn: Connection, article: Article, *, now: datetime) -> int:
    result = conn.execute(stories.insert().values(
        title=article.title, first_seen_at=now, last_seen_at=now, article_count=0,
        languages=[], sources=[], alerted=False,
    ))
    return int(result.inserted_primary_key[0])


def add_member(conn: Connection, story_id: int, article: Article, *, now: datetime) -> None:
    """Fold a new member into the story's summary (count, languages, sources, last seen)."""
    row = conn.execute(select(stories).where(stories.c.id == story_id)).one()
    languages = sorted(set(row.languages) | ({article.language} if article.language else set()))
    sources = sorted(set(row.sources) | ({article.source} if article.source else set()))
    values: dict[str, object] = {
        "article_count": row.article_count + 1, "languages": languages, "sources": sources,
        "last_seen_at": max(row.last_seen_at, now),
    }
    conn.execute(update(stories).where(stories.c.id == story_id).values(**values))


def merge_stories(conn: Connection, into: int, other: int) -> bool:
    """Fold story `other` into `into` when an article bridged them. An alerted story keeps its id
    for good, so it is never folded away (returns False then); its matches go with it otherwise.
    """
    rows = {r.id: r for r in conn.execute(select(stories).where(stories.c.id.in_((into, other))))}
    if into == other or other not in rows or into not in rows or rows[other].alerted:
        return False
    source, target = rows[other], rows[into]
    conn.execute(update(articles).where(articles.c.story_id == other).values(story_id=into))
    conn.execute(story_matches.delete().where(story_matches.c.story_id == other))
    conn.execute(update(stories).where(stories.c.id == into).values(
        article_count=target.article_count + source.article_count,
        languages=sorted(set(target.languages) | set(source.languages)),
        sources=sorted(set(target.sources) | set(source.sources)),
        first_seen_at=min(target.first_seen_at, source.first_seen_at),
        last_seen_at=max(target.last_seen_at, source.last_seen_at),
    ))
    conn.execute(stories.delete().where(stories.c.id == other))
    return True


def load_story(conn: Connection, story_id: int) -> Story:
    row = conn.execute(select(stories).where(stories.c.id == story_id)).one()
    members = conn.execute(
        select(articles, feeds.c.tags)
        .join(feeds, feeds.c.id == articles.c.feed_id, isouter=True)
        .where(articles.c.story_id == story_id)
        .order_by(articles.c.fetched_at, articles.c.id)
    ).all()
    return Story(
        id=row.id, title=row.title, first_seen=row.first_seen_at,
        articles=tuple(
            StoryArticle(
                id=m.id, title=m.title, text=m.text, url=m.url, language=m.language,
                source=m.source, published=m.published_at, tags=tuple(m.tags or ()), vector=m.vector,
            )
            for m in members
        ),
    )


def record_matches(conn: Connection, matches: Sequence[Match], *, now: datetime) -> None:
    """Keep why each story matched (newest explanation wins); the alert renders it."""
    for match in matches:
        values = {
            "story_id": match.story_id, "watchlist": match.watchlist, "score": match.score,
            "explanation": [h.__dict__ for h in match.hits], "matched_at": now,
        }
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(story_matches)
        conn.execute(insert.values(**values).on_conflict_do_update(
            index_elements=["story_id", "watchlist"],
            set_={"score": values["score"], "explanation": values["explanation"], "matched_at": now},
        ))


def mark_alerted(conn: Connection, story_ids: Sequence[int]) -> None:
    """Alerted stories keep their id for good (clustering never merges them away)."""
    if story_ids:
        conn.execute(update(stories).where(stories.c.id.in_(story_ids)).values(alerted=True))


def list_story_ids(conn: Connection, *, since: datetime) -> list[int]:
    return list(conn.scalars(select(stories.c.id).where(stories.c.last_seen_at >= since)
                             .order_by(stories.c.id)))
