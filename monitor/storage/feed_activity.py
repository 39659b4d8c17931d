"""Read-only figures per feed for the web console: how many articles each feed brought lately."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.tables import articles, feeds


def articles_since(conn: Connection, since: datetime) -> dict[str, int]:
    """Feed name -> articles stored from it since `since` (feeds with none are absent)."""
    try:
        rows = conn.execute(select(feeds.c.name, func.count(articles.c.id))
                            .join(articles, articles.c.feed_id == feeds.c.id)
                            .where(articles.c.fetched_at >= since).group_by(feeds.c.name))
        return {name: int(count) for name, count in rows}
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot count recent articles per feed: {exc}") from exc
