"""Deleting old data: articles (with their vectors), entries and empty stories past the retention age.

What an alert was about is history the user may come back to, so a story that was alerted (its
`alerted` flag, or an outbox row that was sent or is still on its way) keeps itself and all its
articles, however old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Select, delete, exists, func, or_, select, update

from monitor.storage.tables import articles, entries, outbox, stories

# Outbox states that mean "this story was (or is being) alerted"; a story with only failed rows is not.
_ALERTED_STATES = ("sent", "sending", "pending")


@dataclass(frozen=True)
class PruneResult:
    articles: int
    stories: int
    entries: int
    cutoff: datetime


def _kept_story_ids() -> Select[tuple[int]]:
    alerted_by_outbox = select(outbox.c.story_id).where(outbox.c.state.in_(_ALERTED_STATES))
    return select(stories.c.id).where(or_(stories.c.alerted.is_(True), stories.c.id.in_(alerted_by_outbox)))


def prune(conn: Connection, now: datetime, days: int) -> PruneResult:
    """Delete what is older than `days` before `now`, within the caller's transaction.

    Articles fetched before the cutoff go (vector included: it is a column of the article), except
    those of kept stories. Entries seen before the cutoff go unless their article stays. Stories
    last seen before the cutoff with no article left go (their matches and failed outbox rows with
    them). Stories that lost some articles get their article_count recomputed.
    """
    if days < 1:
        raise ValueError(f"retention must be at least 1 day, got {days}")
    cutoff = now - timedelta(days=days)
    kept = _kept_story_ids()
    old_articles = select(articles.c.id).where(
        articles.c.fetched_at < cutoff,
        or_(articles.c.story_id.is_(None), articles.c.story_id.not_in(kept)),
    )
    touched = [row[0] for row in conn.execute(
        select(articles.c.story_id).distinct().where(articles.c.id.in_(old_articles),
                                                     articles.c.story_id.is_not(None)))]
    entry_count = conn.execute(delete(entries).where(
        entries.c.seen_at < cutoff,
        or_(entries.c.article_id.is_(None), entries.c.article_id.in_(old_articles)),
    )).rowcount
    article_count = conn.execute(delete(articles).where(articles.c.id.in_(old_articles))).rowcount
    has_articles = exists().where(articles.c.story_id == stories.c.id)
    story_count = conn.execute(delete(stories).where(
        stories.c.last_seen_at < cutoff, ~has_articles, stories.c.id.not_in(kept),
    )).rowcount
    _recount(conn, touched)
    return PruneResult(articles=article_count, stories=story_count, entries=entry_count, cutoff=cutoff)


def _recount(conn: Connection, story_ids: list[int]) -> None:
    remaining = select(func.count()).where(articles.c.story_id == stories.c.id).scalar_subquery()
    for start in range(0, len(story_ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = story_ids[start:start + 500]
        conn.execute(update(stories).where(stories.c.id.in_(chunk)).values(article_count=remaining))
