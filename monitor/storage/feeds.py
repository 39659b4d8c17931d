"""Repository for the `feeds` table: config sync, leasing due feeds, recording polls.

Several processes may poll the same database: a feed is leased (owner + expiry) when claimed,
so two pollers never hold the same feed, and a crashed poller's leases run out by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, or_, select, update
from sqlalchemy.exc import IntegrityError

from monitor.errors import StorageError
from monitor.models import Feed, FeedUpdate
from monitor.storage.locks import feed_sync_lock
from monitor.storage.tables import feeds

REMOVED_FROM_CONFIG = "removed from config"


class FeedSpecLike(Protocol):
    """What sync needs of a configured feed (monitor.ingest.settings.FeedSpec fits)."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def interval_seconds(self) -> int | None: ...


@dataclass(frozen=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    disabled: int = 0


def row_to_feed(row: Any) -> Feed:
    m = row._mapping
    return Feed(
        id=m["id"], name=m["name"], url=m["url"], tags=tuple(m["tags"] or ()),
        etag=m["etag"], last_modified=m["last_modified"], interval_seconds=m["interval_seconds"],
        error_count=m["error_count"], enabled=bool(m["enabled"]),
        current_interval_seconds=m["current_interval_seconds"], next_check_at=m["next_check_at"],
        last_checked_at=m["last_checked_at"], last_success_at=m["last_success_at"],
        last_new_entry_at=m["last_new_entry_at"], last_status=m["last_status"],
        last_error=m["last_error"], warning=m["warning"], disabled_reason=m["disabled_reason"],
    )


def sync_feeds(conn: Connection, specs: Sequence[FeedSpecLike], now: datetime) -> SyncReport:
    """Make the table follow the config (by name); feeds gone from it are disabled, not deleted.

    Replicas sync the same file at the same moments (start-up, SIGHUP): they take turns, or two of
    them inserting the same new name collide on the unique name.
    """
    with feed_sync_lock(conn):
        return _sync(conn, specs, now)


def _sync(conn: Connection, specs: Sequence[FeedSpecLike], now: datetime) -> SyncReport:
    existing = {r.name: r for r in conn.execute(select(feeds))}
    added = updated = disabled = 0
    for spec in specs:
        row = existing.get(spec.name)
        values: dict[str, Any] = {"tags": list(spec.tags), "interval_seconds": spec.interval_seconds}
        if row is None:
            conn.execute(feeds.insert().values(
                name=spec.name, url=spec.url, config_url=spec.url, enabled=True, error_count=0,
                next_check_at=now, created_at=now, **values))
            added += 1
            continue
        if row.config_url != spec.url:  # edited in the config: start afresh at the new URL
            values.update(url=spec.url, config_url=spec.url, etag=None, last_modified=None,
                          error_count=0, last_error=None, next_check_at=now)
        if row.config_url != spec.url or row.disabled_reason == REMOVED_FROM_CONFIG:
            values.update(enabled=True, disabled_reason=None)
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changed:
            conn.execute(update(feeds).where(feeds.c.id == row.id).values(**changed))
            updated += 1
    wanted = {spec.name for spec in specs}
    for name, row in existing.items():
        if name not in wanted and row.enabled and row.config_url is not None:
            conn.execute(update(feeds).where(feeds.c.id == row.id)
                         .values(enabled=False, disabled_reason=REMOVED_FROM_CONFIG))
            disabled += 1
    return SyncReport(added, updated, disabled)


def add_feed(conn: Connection, *, name: str, url: str, tags: Sequence[str], now: datetime,
             interval_seconds: int | None = None) -> Feed:
    """A feed added by hand (`monitor feeds add`): not managed by the config sync."""
    try:
        result = conn.execute(feeds.insert().values(
            name=name, url=url, tags=list(tags), enabled=True, error_count=0,
            interval_seconds=interval_seconds, next_check_at=now, created_at=now).returning(*feeds.c))
    except IntegrityError as exc:
        raise StorageError(f"a feed named {name!r} already exists") from exc
    return row_to_feed(result.one())


def claim_due_feeds(conn: Connection, *, now: datetime, owner: str, limit: int,
                    lease_seconds: int) -> list[Feed]:
    """Lease up to `limit` due feeds to `owner` (most overdue first) and return them."""
    due = (
        select(feeds.c.id)
        .where(feeds.c.enabled.is_(True), feeds.c.next_check_at <= now,
               or_(feeds.c.lease_expires_at.is_(None), feeds.c.lease_expires_at <= now))
        .order_by(feeds.c.next_check_at, feeds.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # One UPDATE ... WHERE id IN (due) RETURNING: on SQLite the statement runs under the write
    # lock, on PostgreSQL SKIP LOCKED keeps concurrent claimers off each other's rows. The lease
    # condition is repeated so a row claimed meanwhile is not taken twice.
    stmt = (
        update(feeds)
        .where(feeds.c.id.in_(due.scalar_subquery()),
               or_(feeds.c.lease_expires_at.is_(None), feeds.c.lease_expires_at <= now))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(*feeds.c)
    )
    claimed = [row_to_feed(r) for r in conn.execute(stmt)]
    return sorted(claimed, key=lambda f: (f.next_check_at or now, f.id))


def release_lease(conn: Connection, feed_id: int, owner: str) -> None:
    conn.execute(update(feeds).where(feeds.c.id == feed_id, feeds.c.lease_owner == owner)
                 .values(lease_owner=None, lease_expires_at=None))


def record_poll(conn: Connection, feed_id: int, outcome: FeedUpdate, now: datetime) -> None:
    """Write what one poll changed and release the lease."""
    values: dict[str, Any] = {
        "last_checked_at": outcome.checked_at, "next_check_at": outcome.next_check_at,
        "last_status": outcome.status, "warning": outcome.warning,
        "lease_owner": None, "lease_expires_at": None,
    }
    if outcome.current_interval_seconds is not None:
        values["current_interval_seconds"] = outcome.current_interval_seconds
    if outcome.error:
        values.update(error_count=feeds.c.error_count + 1, last_error=outcome.error[:2000])
    else:
        values.update(error_count=0, last_error=None, last_success_at=now,
                      etag=outcome.etag, last_modified=outcome.last_modified)
    if outcome.new_entries > 0:
        values["last_new_entry_at"] = now
    if outcome.new_url:
        values["url"] = outcome.new_url
        moved = f"moved permanently to {outcome.new_url}"
        values["warning"] = f"{outcome.warning}; {moved}" if outcome.warning else moved
    if outcome.disable_reason:
        values.update(enabled=False, disabled_reason=outcome.disable_reason)
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


def enable_feed(conn: Connection, name: str, now: datetime) -> bool:
    """Switch a disabled feed back on (after a 410 that was a mistake, say) and check it at once."""
    result = conn.execute(update(feeds).where(feeds.c.name == name).values(
        enabled=True, disabled_reason=None, error_count=0, last_error=None, next_check_at=now))
    return bool(result.rowcount)


def list_feeds(conn: Connection, *, errors_only: bool = False) -> list[Feed]:
    stmt = select(feeds).order_by(feeds.c.name)
    if errors_only:
        stmt = stmt.where(or_(feeds.c.error_count > 0, feeds.c.enabled.is_(False)))
    return [row_to_feed(r) for r in conn.execute(stmt)]


def get_feed(conn: Connection, *, name: str | None = None, feed_id: int | None = None) -> Feed | None:
    cond = feeds.c.name == name if name is not None else feeds.c.id == feed_id
    row = conn.execute(select(feeds).where(cond)).first()
    return row_to_feed(row) if row else None


DISABLED_BY_HAND = "disabled by hand"


def set_enabled(conn: Connection, name: str, enabled: bool, *, now: datetime) -> bool:
    """Switch a feed on (checked at once, its error count cleared) or off; False if there is no such feed.

    A feed switched off by hand stays off when the config is synced again (only feeds the config
    dropped are switched back on by it).
    """
    values: dict[str, Any] = (
        {"enabled": True, "disabled_reason": None, "error_count": 0, "last_error": None, "next_check_at": now}
        if enabled else {"enabled": False, "disabled_reason": DISABLED_BY_HAND})
    result = conn.execute(update(feeds).where(feeds.c.name == name).values(**values))
    return bool(result.rowcount)


def check_now(conn: Connection, name: str, *, now: datetime) -> bool:
    """Make the feed due now (the next poll takes it); False if there is no such feed."""
    result = conn.execute(update(feeds).where(feeds.c.name == name).values(next_check_at=now))
    return bool(result.rowcount)
