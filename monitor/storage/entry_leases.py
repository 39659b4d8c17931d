"""Claiming pending entries, so that replicas split the page fetching instead of all doing it.

`pending_entries` hands every caller the same oldest entries: with three replicas each page was
fetched and extracted by several of them (the multi-replica test measured 1,902 page requests for
1,000 entries with two live replicas). `claim_pending_entries` leases the entries it returns, with
FOR UPDATE SKIP LOCKED on PostgreSQL, the way feeds and outbox rows are claimed. A lease ends when the
entry is marked done or failed (its status leaves "new"), or when it expires: a replica that died
mid-fetch, or a retryable failure, frees the entry for anyone after `lease_seconds`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select, update

from monitor.models import PendingEntry
from monitor.storage.tables import entries, feeds


def claim_pending_entries(conn: Connection, *, now: datetime, owner: str, limit: int,
                          lease_seconds: int) -> list[PendingEntry]:
    """Lease up to `limit` entries whose page is still to be fetched (oldest first) to `owner`."""
    free = or_(entries.c.lease_expires_at.is_(None), entries.c.lease_expires_at <= now)
    query = (select(entries.c.id).where(entries.c.status == "new", free)
             .order_by(entries.c.seen_at, entries.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # A MATERIALIZED CTE, not `IN (subquery)`: PostgreSQL may rescan a LIMIT ... FOR UPDATE SKIP
    # LOCKED subquery once per outer row (a nested-loop semi join), and each rescan skips the rows
    # just locked and takes the next ones, so the UPDATE claimed every pending entry, not `limit`.
    due = query.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    # The lease condition is repeated in the UPDATE so a row claimed meanwhile is not taken twice.
    claimed = list(conn.execute(
        update(entries).where(entries.c.id.in_(select(due.c.id)), entries.c.status == "new", free)
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(entries.c.id)).scalars())
    if not claimed:
        return []
    rows = conn.execute(
        select(entries.c.id, entries.c.feed_id, entries.c.url, entries.c.title, entries.c.published_at,
               entries.c.attempts, feeds.c.name, feeds.c.tags)
        .join(feeds, feeds.c.id == entries.c.feed_id)
        .where(entries.c.id.in_(claimed))
        .order_by(entries.c.seen_at, entries.c.id)
    )
    return [PendingEntry(id=r.id, feed_id=r.feed_id, feed_name=r.name, feed_tags=tuple(r.tags or ()),
                         url=r.url, title=r.title, published=r.published_at, attempts=r.attempts)
            for r in rows]
