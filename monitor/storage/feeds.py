"""Repository for the `feeds` table: config sync, leasing due feeds, recording polls.

Several processes may poll the same database: a feed is leased (owner + expiry) when claimed,
so two pollers never hold the same feed, and a crashed poller's leases run out by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from monitor.errors import StorageError
from monitor.models import Feed, FeedUpdate
from monitor.storage.locks import feed_sync_lock
from monitor.storage.tables import entries, feeds

REMOVED_FROM_CONFIG = "removed from config"
DISABLED_BY_HAND = "disabled by hand (monitor feeds enable NAME switches it back on)"


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

    A name that is new while the URL is one a vanished name had is a rename in the file: the row is
    renamed and keeps its entries, schedule and health.

    Replicas sync the same file at the same moments (start-up, SIGHUP): they take turns, or two of
    them inserting the same new name collide on the unique name.
    """
    with feed_sync_lock(conn):
        return _sync(conn, specs, now)


def _sync(conn: Connection, specs: Sequence[FeedSpecLike], now: datetime) -> SyncReport:
    existing = {r.name: r for r in conn.execute(select(feeds))}
    wanted = {spec.name for spec in specs}
    # A config feed whose name left the file while its URL stayed was renamed there: it keeps its row.
    renamed_from = {r.config_url: r for name, r in existing.items() if name not in wanted and r.config_url}
    added = updated = disabled = 0
    for spec in specs:
        row = existing.get(spec.name)
        values: dict[str, Any] = {"tags": list(spec.tags), "interval_seconds": spec.interval_seconds}
        if row is None and spec.url in renamed_from:
            row = renamed_from.pop(spec.url)
            del existing[row.name]
            values["name"] = spec.name
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
    record_polls(conn, [(feed_id, outcome)], now)


def record_polls(conn: Connection, outcomes: Sequence[tuple[int, FeedUpdate]], now: datetime) -> None:
    """`record_poll` for many feeds: one executemany per shape of change (a cycle's 304s are one)."""
    Shape = tuple[tuple[str, ...], tuple[str, ...]]
    groups: dict[Shape, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for feed_id, outcome in outcomes:
        values = _poll_values(outcome, now)
        computed = {k: v for k, v in values.items() if isinstance(v, ColumnElement)}  # error_count + 1
        params = {k: v for k, v in values.items() if k not in computed}
        shape = (tuple(sorted(params)), tuple(sorted(computed)))
        rows = groups.setdefault(shape, (computed, []))[1]
        rows.append({"p_feed_id": feed_id, **{f"p_{k}": v for k, v in params.items()}})
    for (names, _), (computed, rows) in groups.items():
        stmt = update(feeds).where(feeds.c.id == bindparam("p_feed_id")).values(
            {**{name: bindparam(f"p_{name}") for name in names}, **computed})
        conn.execute(stmt, rows)


def _poll_values(outcome: FeedUpdate, now: datetime) -> dict[str, Any]:
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
    return values


def set_enabled(conn: Connection, name: str, enabled: bool, *, now: datetime) -> bool:
    """Switch a feed on (checked at once, its error count cleared) or off by hand. False: no such feed.

    A feed disabled by hand stays off across config syncs. Switching on a feed that was removed from
    the config makes it a hand-added feed, or the next sync would switch it off again.
    """
    row = _row(conn, name)
    if row is None:
        return False
    if not enabled:
        conn.execute(update(feeds).where(feeds.c.id == row.id)
                     .values(enabled=False, disabled_reason=DISABLED_BY_HAND))
        return True
    values: dict[str, Any] = {"enabled": True, "disabled_reason": None, "error_count": 0,
                              "last_error": None, "next_check_at": now}
    if row.disabled_reason == REMOVED_FROM_CONFIG:
        values["config_url"] = None
    conn.execute(update(feeds).where(feeds.c.id == row.id).values(**values))
    return True


def rename_feed(conn: Connection, old: str, new: str) -> bool:
    """Give a feed another name; its entries and articles stay with it. False: no feed named `old`.

    Raises StorageError when `new` is taken, or when the feed comes from the config file (the next
    sync would bring the old name back as a second feed: rename it in the file instead).
    """
    row = _row(conn, old)
    if row is None:
        return False
    _refuse_config_feed(row, "rename it")
    if old == new:
        return True
    taken = StorageError(f"a feed named {new!r} already exists")
    if _row(conn, new) is not None:
        raise taken
    try:
        # Renamed, a feed the config dropped is no longer the config's: it becomes a hand-added one.
        conn.execute(update(feeds).where(feeds.c.id == row.id).values(name=new, config_url=None))
    except IntegrityError as exc:  # taken meanwhile; the caller's transaction rolls back
        raise taken from exc
    return True


def remove_feed(conn: Connection, name: str) -> bool:
    """Delete a feed and its entries (articles stay, without their feed). False: no such feed.

    Raises StorageError when the feed comes from the config file: the next start would add it back.
    """
    row = _row(conn, name)
    if row is None:
        return False
    _refuse_config_feed(row, "remove its [[feeds]] table")
    conn.execute(delete(entries).where(entries.c.feed_id == row.id))  # SQLite may run without FK cascades
    conn.execute(delete(feeds).where(feeds.c.id == row.id))
    return True


def check_now(conn: Connection, name: str, *, now: datetime) -> bool:
    """Make the feed due now (the next cycle polls it, whatever its back-off). False: no such feed."""
    result = conn.execute(update(feeds).where(feeds.c.name == name).values(next_check_at=now))
    return bool(result.rowcount)


def make_all_due(conn: Connection, *, now: datetime) -> int:
    """Make every enabled feed due now (`monitor once --all`); returns how many were not due yet."""
    result = conn.execute(update(feeds).where(feeds.c.enabled.is_(True), feeds.c.next_check_at > now)
                          .values(next_check_at=now))
    return int(result.rowcount)


def from_config(feed_row: Any) -> bool:
    """Whether the config sync owns this feed: it came from the file, which still lists it."""
    return feed_row.config_url is not None and feed_row.disabled_reason != REMOVED_FROM_CONFIG


def _refuse_config_feed(row: Any, what: str) -> None:
    if from_config(row):
        raise StorageError(f"feed {row.name!r} comes from the config file; {what} there (a change "
                           "made here would be undone at the next start)")


def _row(conn: Connection, name: str) -> Any:
    return conn.execute(select(feeds).where(feeds.c.name == name)).first()


def list_feeds(conn: Connection, *, errors_only: bool = False) -> list[Feed]:
    stmt = select(feeds).order_by(feeds.c.name)
    if errors_only:
        stmt = stmt.where(or_(feeds.c.error_count > 0, feeds.c.enabled.is_(False)))
    return [row_to_feed(r) for r in conn.execute(stmt)]


@dataclass(frozen=True)
class FeedAddress:
    """Where a stored feed is, and where the config first said it was (before a 301 moved it)."""

    name: str
    url: str
    config_url: str | None


def feed_addresses(conn: Connection) -> list[FeedAddress]:
    rows = conn.execute(select(feeds.c.name, feeds.c.url, feeds.c.config_url).order_by(feeds.c.name))
    return [FeedAddress(r.name, r.url, r.config_url) for r in rows]


def get_feed(conn: Connection, *, name: str | None = None, feed_id: int | None = None) -> Feed | None:
    cond = feeds.c.name == name if name is not None else feeds.c.id == feed_id
    row = conn.execute(select(feeds).where(cond)).first()
    return row_to_feed(row) if row else None
