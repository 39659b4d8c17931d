"""Repository for stories: their summary row, members, merges, watchlist matches, and the match job's
queue (a story whose change counter is ahead of what was last matched waits to be matched).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import ArticleLink, Match, Story, StoryArticle, StoryOutline
from monitor.storage.tables import articles, feeds, stories, story_matches

_CHANGED = {"change_seq": stories.c.change_seq + 1, "match_attempts": 0, "match_error": None}

# Statements run once per article or story are built once, with bound parameters: building one costs
# SQLAlchemy more than running it (see storage/articles.py).
_CREATE = stories.insert().values(article_count=0, alerted=False, change_seq=0, matched_seq=0,
                                  match_attempts=0).returning(stories.c.id)
_STORY = select(stories).where(stories.c.id == bindparam("story_id"))
_GROWN = update(stories).where(stories.c.id == bindparam("story_id")).values(
    article_count=stories.c.article_count + 1,
    languages=bindparam("grown_languages", type_=stories.c.languages.type),
    sources=bindparam("grown_sources", type_=stories.c.sources.type),
    last_seen_at=bindparam("grown_last_seen", type_=stories.c.last_seen_at.type), **_CHANGED)
_MEMBERS = (select(articles, feeds.c.tags).join(feeds, feeds.c.id == articles.c.feed_id, isouter=True)
            .where(articles.c.story_id == bindparam("story_id"))
            .order_by(articles.c.fetched_at, articles.c.id))
_MATCHED = update(stories).where(stories.c.id == bindparam("story_id"),
                                 stories.c.match_lease_owner == bindparam("owner")).values(
    matched_seq=bindparam("matched_seq"), match_attempts=0, match_error=None, match_lease_owner=None,
    match_lease_expires_at=None)


def create_story(conn: Connection, title: str, *, now: datetime) -> int:
    """A new, empty story; its first member is added with `add_member`."""
    return int(conn.execute(_CREATE, {"title": title, "first_seen_at": now, "last_seen_at": now,
                                      "languages": [], "sources": []}).scalar_one())


def add_member(conn: Connection, story_id: int, *, language: str | None, source: str, now: datetime) -> None:
    """Fold a new member into the story's summary (count, languages, sources, last seen) and mark the
    story to be matched again."""
    row = conn.execute(_STORY, {"story_id": story_id}).one()
    languages = sorted(set(row.languages) | ({language} if language else set()))
    sources = sorted(set(row.sources) | ({source} if source else set()))
    conn.execute(_GROWN, {"story_id": story_id, "grown_languages": languages, "grown_sources": sources,
                          "grown_last_seen": max(row.last_seen_at, now)})


def merge_stories(conn: Connection, into: int, other: int) -> bool:
    """Fold the summary of story `other` into `into` and delete `other` (its articles must have moved
    first). An alerted story keeps its id for good, so it is never folded away (returns False); its
    matches go with it otherwise. `into` is marked to be matched again.
    """
    rows = {r.id: r for r in conn.execute(select(stories).where(stories.c.id.in_((into, other))))}
    if not can_merge(rows, into, other):
        return False
    source, target = rows[other], rows[into]
    conn.execute(story_matches.delete().where(story_matches.c.story_id == other))
    conn.execute(update(stories).where(stories.c.id == into).values(
        article_count=target.article_count + source.article_count,
        languages=sorted(set(target.languages) | set(source.languages)),
        sources=sorted(set(target.sources) | set(source.sources)),
        first_seen_at=min(target.first_seen_at, source.first_seen_at),
        last_seen_at=max(target.last_seen_at, source.last_seen_at), **_CHANGED,
    ))
    conn.execute(stories.delete().where(stories.c.id == other))
    return True


def can_merge(rows: dict[int, Any], into: int, other: int) -> bool:
    return into != other and other in rows and into in rows and not rows[other].alerted


def mergeable(conn: Connection, into: int, other: int) -> bool:
    """Whether `merge_stories(into, other)` would fold `other` away."""
    rows = {r.id: r for r in conn.execute(select(stories.c.id, stories.c.alerted)
                                          .where(stories.c.id.in_((into, other))))}
    return can_merge(rows, into, other)


def alerted_since(conn: Connection, since: datetime) -> list[int]:
    """Alerted stories seen since `since` (the story window keeps them from absorbing other events)."""
    return list(conn.scalars(select(stories.c.id).where(stories.c.alerted.is_(True),
                                                        stories.c.last_seen_at >= since)))


def load_story(conn: Connection, story_id: int) -> Story:
    """The story with every article's text and vectors (what matching reads)."""
    row = conn.execute(_STORY, {"story_id": story_id}).one()
    members = conn.execute(_MEMBERS, {"story_id": story_id}).all()
    return Story(
        id=row.id, title=row.title, first_seen=row.first_seen_at,
        articles=tuple(
            StoryArticle(
                id=m.id, title=m.title, text=m.text, url=m.url, language=m.language,
                source=m.source, published=m.published_at, tags=tuple(m.tags or ()), vector=m.vector,
                passage=m.passage_vector,
            )
            for m in members
        ),
    )


def load_outline(conn: Connection, story_id: int) -> StoryOutline | None:
    """The summary row and the members' headlines, without their text (what an alert shows)."""
    row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
    if row is None:
        return None
    links = conn.execute(
        select(articles.c.id, articles.c.title, articles.c.url, articles.c.language, articles.c.source)
        .where(articles.c.story_id == story_id).order_by(articles.c.fetched_at, articles.c.id))
    return StoryOutline(
        id=row.id, title=row.title, first_seen=row.first_seen_at, languages=tuple(row.languages or ()),
        sources=tuple(row.sources or ()),
        articles=tuple(ArticleLink(a.id, a.title, a.url, a.language, a.source) for a in links))


def save_passages(conn: Connection, passages: Mapping[int, bytes]) -> None:
    """Keep the passage vectors matching computed: the next match of the story reuses them."""
    if passages:
        conn.execute(update(articles).where(articles.c.id == bindparam("article_id"))
                     .values(passage_vector=bindparam("passage")),
                     [{"article_id": k, "passage": v} for k, v in passages.items()])


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


# ---- the match job's queue ---------------------------------------------------------------------

def _to_match(now: datetime, max_attempts: int) -> ColumnElement[bool]:
    return and_(stories.c.change_seq > stories.c.matched_seq, stories.c.match_attempts < max_attempts,
                or_(stories.c.match_lease_expires_at.is_(None), stories.c.match_lease_expires_at <= now))


def claim_to_match(conn: Connection, *, now: datetime, owner: str, limit: int, lease_seconds: int,
                   max_attempts: int) -> list[tuple[int, int]]:
    """Lease up to `limit` stories that changed since they were last matched: (story id, change_seq)."""
    query = select(stories.c.id).where(_to_match(now, max_attempts)).order_by(stories.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = query.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    return sorted((int(r.id), int(r.change_seq)) for r in conn.execute(
        update(stories).where(stories.c.id.in_(select(due.c.id)), _to_match(now, max_attempts))
        .values(match_lease_owner=owner, match_lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(stories.c.id, stories.c.change_seq)))


def mark_matched(conn: Connection, story_id: int, change_seq: int, owner: str) -> None:
    """Record that the story was matched as it was at `change_seq`; a later change keeps it queued."""
    conn.execute(_MATCHED, {"story_id": story_id, "owner": owner, "matched_seq": change_seq})


def record_match_failure(conn: Connection, story_id: int, error: str, owner: str) -> None:
    """Count a failed matching; after the configured attempts the story waits for its next change."""
    conn.execute(update(stories).where(stories.c.id == story_id, stories.c.match_lease_owner == owner)
                 .values(match_attempts=stories.c.match_attempts + 1, match_error=error[:2000],
                         match_lease_owner=None, match_lease_expires_at=None))


def mark_to_match(conn: Connection, story_ids: Sequence[int]) -> int:
    """Queue stories to be matched again (after the watchlists changed: `monitor backfill`)."""
    if not story_ids:
        return 0
    return int(conn.execute(update(stories).where(stories.c.id.in_(list(story_ids)))
                            .values(**_CHANGED)).rowcount)
