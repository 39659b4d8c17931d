"""Repository for the `entries` table: remember feed items once, queue their pages for fetching.

Pending pages are claimed with leases so that replicas split the fetching instead of all doing it
(FOR UPDATE SKIP LOCKED on PostgreSQL, like feeds and outbox rows). A lease ends when the entry is
marked done or failed (its status leaves "new"), or when it expires: a replica that died mid-fetch,
or a retryable failure, frees the entry for anyone after `lease_seconds`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.models import Entry, PendingEntry
from monitor.storage.tables import entries, feeds

_CHUNK = 400  # keys per IN (...) query: well under SQLite's variable limit


def insert_new_entries(conn: Connection, feed_id: int, items: Sequence[Entry],
                       now: datetime) -> list[tuple[int, Entry]]:
    """Store the entries whose key this feed never had; return (entry_id, entry) for those only."""
    by_key: dict[str, Entry] = {}
    for item in items:
        by_key.setdefault(item.key, item)
    keys = list(by_key)
    known: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        known.update(conn.execute(select(entries.c.key).where(
            entries.c.feed_id == feed_id, entries.c.key.in_(chunk))).scalars())
    rows = [
        {"feed_id": feed_id, "key": key, "url": e.url, "title": e.title, "summary": e.summary or None,
         "published_at": e.published, "seen_at": now, "status": "new", "attempts": 0}
        for key, e in by_key.items() if key not in known
    ]
    if not rows:
        return []
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    # Insert-or-ignore on (feed_id, key): a concurrent poller of the same feed cannot double it.
    stmt = insert(entries).on_conflict_do_nothing(index_elements=["feed_id", "key"]).returning(
        entries.c.id, entries.c.key)
    inserted = [(r.id, by_key[r.key]) for r in conn.execute(stmt, rows)]
    order = {key: i for i, key in enumerate(keys)}
    return sorted(inserted, key=lambda pair: order[pair[1].key])


def insert_new_entries_of_feeds(conn: Connection, items: Mapping[int, Sequence[Entry]],
                                now: datetime) -> dict[int, int]:
    """`insert_new_entries` for many feeds in a few statements (a polling cycle's batch): per feed id,
    how many of its entries were new."""
    unique = {feed_id: _first_of_each_key(entries_of_feed) for feed_id, entries_of_feed in items.items()}
    keys = sorted({e.key for entries_of_feed in unique.values() for e in entries_of_feed})
    known: set[tuple[int, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        rows = conn.execute(select(entries.c.feed_id, entries.c.key).where(
            entries.c.feed_id.in_(list(unique)), entries.c.key.in_(keys[start:start + _CHUNK])))
        known.update((r.feed_id, r.key) for r in rows)
    fresh = [
        {"feed_id": feed_id, "key": e.key, "url": e.url, "title": e.title, "summary": e.summary or None,
         "published_at": e.published, "seen_at": now, "status": "new", "attempts": 0}
        for feed_id, entries_of_feed in unique.items()
        for e in entries_of_feed if (feed_id, e.key) not in known
    ]
    counts = dict.fromkeys(items, 0)
    if fresh:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(entries).on_conflict_do_nothing(index_elements=["feed_id", "key"]).returning(
            entries.c.feed_id)
        for row in conn.execute(stmt, fresh):
            counts[row.feed_id] += 1
    return counts


def _first_of_each_key(items: Sequence[Entry]) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for item in items:
        seen.setdefault(item.key, item)
    return list(seen.values())


def claim_pending_entries(conn: Connection, *, now: datetime, owner: str, limit: int,
                          lease_seconds: int) -> list[PendingEntry]:
    """Lease up to `limit` entries whose page is still to be fetched (oldest first) to `owner`,
    with their feed's name and tags.
    """
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
        select(entries.c.id, entries.c.feed_id, entries.c.url, entries.c.title, entries.c.summary,
               entries.c.published_at, entries.c.attempts, feeds.c.name, feeds.c.tags)
        .join(feeds, feeds.c.id == entries.c.feed_id)
        .where(entries.c.id.in_(claimed))
        .order_by(entries.c.seen_at, entries.c.id)
    )
    return [PendingEntry(id=r.id, feed_id=r.feed_id, feed_name=r.name, feed_tags=tuple(r.tags or ()),
                         url=r.url, title=r.title, summary=r.summary or "", published=r.published_at,
                         attempts=r.attempts)
            for r in rows]


_DONE = update(entries).where(entries.c.id == bindparam("entry_id")).values(
    status="done", article_id=bindparam("done_article_id"), error=None)  # once per entry: built once


def mark_entry_done(conn: Connection, entry_id: int, article_id: int | None) -> None:
    conn.execute(_DONE, {"entry_id": entry_id, "done_article_id": article_id})


def mark_entry_failed(conn: Connection, entry_id: int, error: str, *, final: bool,
                      stand_in: int | None = None) -> None:
    """Count a failed attempt; `final` gives up (status 'failed'), else it stays queued. `stand_in` is
    the article made of the feed's own title and summary in place of the page's."""
    values: dict[str, object] = {"attempts": entries.c.attempts + 1, "error": error[:2000]}
    if final:
        values["status"] = "failed"
        values["article_id"] = stand_in
    conn.execute(update(entries).where(entries.c.id == entry_id).values(**values))


@dataclass(frozen=True)
class PageFailures:
    """A feed's entries whose page could not be fetched or extracted."""

    failed: int  # given up on (status "failed")
    retrying: int  # failed at least once, tried again later
    last_error: str | None  # of the newest such entry


def page_failures(conn: Connection) -> dict[int, PageFailures]:
    """Per feed id, its entries whose page failed (feeds without any are absent)."""
    failing = (entries.c.error.is_not(None)) & (entries.c.status != "done")
    counts = conn.execute(
        select(entries.c.feed_id,
               func.sum(case((entries.c.status == "failed", 1), else_=0)).label("failed"),
               func.count().label("total"), func.max(entries.c.id).label("newest"))
        .where(failing).group_by(entries.c.feed_id)).all()
    if not counts:
        return {}
    newest = [r.newest for r in counts]
    errors: dict[int, str] = {}
    for start in range(0, len(newest), _CHUNK):
        rows = conn.execute(select(entries.c.id, entries.c.error)
                            .where(entries.c.id.in_(newest[start:start + _CHUNK])))
        errors.update((r.id, r.error) for r in rows)
    return {r.feed_id: PageFailures(failed=int(r.failed), retrying=int(r.total - r.failed),
                                    last_error=errors.get(r.newest))
            for r in counts}
