"""Repository for articles: stored once per canonical URL by the content job, placed in a story by the
stories job (its queue: story_state pending -> placed | failed, leased while its vector is computed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import Article, Placement, StoredArticle
from monitor.storage.tables import articles

_CHUNK = 400  # ids per IN (...): well under SQLite's variable limit

# Statements run once per article or more are built once, with bound parameters: building one costs
# SQLAlchemy about three times what running it on SQLite costs (bench/RESULTS-pipeline.md).
_INSERTS = {name: dialect.insert(articles).on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(articles.c.id) for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


@dataclass(frozen=True)
class KnownPage:
    """An article already stored (found by its page's bytes or by its text): what a copy reuses."""

    url: str
    canonical_url: str
    title: str
    text: str
    language: str | None
    published: datetime | None
    text_hash: str
    simhash: int | None
    declared_canonical: str | None  # what its page declared ("" nothing), None when not known


def insert_pending(conn: Connection, article: Article, *, feed_id: int | None, text_hash: str,
                   simhash: int | None, now: datetime, page_hash: str | None = None) -> tuple[int, bool]:
    """Store an extracted article for the stories job: (article id, True) or, when its canonical URL is
    stored already (another feed or entry brought the same page), (that article's id, False)."""
    row = conn.execute(_INSERTS["postgresql" if conn.dialect.name == "postgresql" else "sqlite"], dict(
        canonical_url=article.canonical_url, url=article.url, feed_id=feed_id, source=article.source,
        title=article.title, text=article.text, language=article.language, published_at=article.published,
        fetched_at=now, text_hash=text_hash, simhash=simhash, page_hash=page_hash, story_state="pending",
        story_attempts=0, declared_canonical=article.declared_canonical,
    )).first()
    if row is not None:
        return int(row[0]), True
    existing = find_by_canonical_url(conn, article.canonical_url)
    assert existing is not None  # the conflict says it is there
    return existing[0], False


_KNOWN = (articles.c.url, articles.c.canonical_url, articles.c.title, articles.c.text, articles.c.language,
          articles.c.published_at, articles.c.text_hash, articles.c.simhash,
          articles.c.declared_canonical)  # not the vectors
_FIRST_KNOWN = {column.name: select(*_KNOWN).where(column == bindparam("key")).order_by(articles.c.id)
                .limit(1) for column in (articles.c.page_hash, articles.c.text_hash)}
_BY_CANONICAL = select(articles.c.id, articles.c.story_id).where(articles.c.canonical_url == bindparam("url"))


def _first_known(conn: Connection, column: str, key: str) -> KnownPage | None:
    row = conn.execute(_FIRST_KNOWN[column], {"key": key}).first()
    if row is None:
        return None
    return KnownPage(row.url, row.canonical_url, row.title, row.text, row.language, row.published_at,
                     row.text_hash, row.simhash, row.declared_canonical)


def find_by_page_hash(conn: Connection, page_hash: str) -> KnownPage | None:
    """The first article stored from these very page bytes, if any."""
    return _first_known(conn, "page_hash", page_hash)


def find_by_text_hash(conn: Connection, text_hash: str) -> KnownPage | None:
    """The first article stored with this text (normalised title and text), if any."""
    return _first_known(conn, "text_hash", text_hash)


def find_by_canonical_url(conn: Connection, canonical_url: str) -> tuple[int, int | None] | None:
    """(article id, story id) of the article stored under this canonical URL, if any."""
    row = conn.execute(_BY_CANONICAL, {"url": canonical_url}).first()
    return (row.id, row.story_id) if row else None


def _claimable(now: datetime, max_attempts: int) -> ColumnElement[bool]:
    return and_(articles.c.story_state == "pending", articles.c.story_attempts < max_attempts,
                or_(articles.c.story_lease_expires_at.is_(None), articles.c.story_lease_expires_at <= now))


def claim_unplaced(conn: Connection, *, now: datetime, owner: str, limit: int, lease_seconds: int,
                   max_attempts: int) -> list[StoredArticle]:
    """Lease up to `limit` articles waiting for a story to `owner`, oldest first."""
    query = select(articles.c.id).where(_claimable(now, max_attempts)).order_by(articles.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # MATERIALIZED: see storage.entries.claim_pending_entries (a rescanned LIMIT ... SKIP LOCKED).
    due = query.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    ids = list(conn.scalars(update(articles).where(articles.c.id.in_(select(due.c.id)),
                                                   _claimable(now, max_attempts))
                            .values(story_lease_owner=owner,
                                    story_lease_expires_at=now + timedelta(seconds=lease_seconds))
                            .returning(articles.c.id)))
    return owned_unplaced(conn, ids, owner)


def owned_unplaced(conn: Connection, ids: Sequence[int], owner: str) -> list[StoredArticle]:
    """Those of `ids` still waiting for a story and leased to `owner`, in id order."""
    found: list[StoredArticle] = []
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(select(articles).where(
            articles.c.id.in_(list(ids[start:start + _CHUNK])), articles.c.story_state == "pending",
            articles.c.story_lease_owner == owner).order_by(articles.c.id))
        found.extend(_stored(row) for row in rows)
    return sorted(found, key=lambda a: a.article_id)


def save_vectors(conn: Connection, vectors: Mapping[int, bytes], model: str) -> None:
    """Keep the model's work on the articles before they are placed: a crash does not lose it."""
    if vectors:
        conn.execute(update(articles).where(articles.c.id == bindparam("article_id")).values(
            vector=bindparam("vector"), vector_model=model),
            [{"article_id": k, "vector": v} for k, v in vectors.items()])


def next_placed_seq(conn: Connection) -> int:
    """The next placement number; read under the assignment lock, so placements never share one."""
    return int(conn.scalar(select(func.coalesce(func.max(articles.c.placed_seq), 0))) or 0) + 1


_PLACED = update(articles).where(articles.c.id == bindparam("article_id")).values(
    story_state="placed", story_error=None, story_lease_owner=None, story_lease_expires_at=None)


def record_placement(conn: Connection, article_id: int, placement: Placement, *, seq: int) -> None:
    values: dict[str, Any] = {
        "article_id": article_id, "story_id": placement.story_id, "story_score": placement.score,
        "story_reason": placement.reason, "story_shared": list(placement.shared) or None, "placed_seq": seq,
    }
    if placement.vector is not None:
        values.update(vector=placement.vector, vector_model=placement.vector_model)
    conn.execute(_PLACED, values)


def move_to_story(conn: Connection, from_story: int, to_story: int, *, first_seq: int) -> int:
    """Move every article of one story to another (a merge) and number them anew from `first_seq`
    (in id order, with gaps), so the other replicas' windows see the move; returns the last number
    used (first_seq - 1 when the story had no article)."""
    lowest, highest = conn.execute(select(func.min(articles.c.id), func.max(articles.c.id))
                                   .where(articles.c.story_id == from_story)).one()
    if lowest is None:
        return first_seq - 1
    conn.execute(update(articles).where(articles.c.story_id == from_story).values(
        story_id=to_story, placed_seq=first_seq + articles.c.id - lowest))
    return int(first_seq + highest - lowest)


def record_placement_failure(conn: Connection, article_id: int, error: str, *, max_attempts: int) -> None:
    """Count a failed placement: after `max_attempts` it is final (story_state 'failed'), before that
    the article is tried again when its lease runs out."""
    final = articles.c.story_attempts + 1 >= max_attempts
    conn.execute(update(articles).where(articles.c.id == article_id).values(
        story_attempts=articles.c.story_attempts + 1, story_error=error[:2000],
        story_state=case((final, "failed"), else_=articles.c.story_state)))


def iter_placed(conn: Connection, *, since: datetime | None = None, after_seq: int = 0,
                batch: int = 500) -> Iterator[StoredArticle]:
    """Placed articles in placement order (what rebuilds and follows the story window)."""
    last = after_seq
    while True:
        query = (select(articles).where(articles.c.placed_seq > last, articles.c.story_id.is_not(None))
                 .order_by(articles.c.placed_seq).limit(batch))
        if since is not None:
            query = query.where(articles.c.fetched_at >= since)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield from (_stored(row) for row in rows)
        last = rows[-1].placed_seq


def _stored(row: Any) -> StoredArticle:
    return StoredArticle(
        article_id=row.id, story_id=row.story_id, title=row.title, text=row.text, language=row.language,
        published=row.published_at, fetched=row.fetched_at, text_hash=row.text_hash, simhash=row.simhash,
        vector=row.vector, vector_model=row.vector_model, placed_seq=row.placed_seq or 0, source=row.source,
    )
