"""Cross-replica locks. On PostgreSQL, transaction-scoped advisory locks; on SQLite, nothing to do.

Several `monitor run` processes may share one PostgreSQL database. Feed and outbox leases keep
them off each other's rows; story assignment needs more, because two replicas could each create
a new story for the same event at the same moment. Holding `assignment_lock` while reading the
recent stories and writing the assignment makes that step run one replica at a time. SQLite has
one writer at a time anyway, so the lock is a no-op there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# Fixed 64-bit keys (ASCII "newsmon" + a number) so that other applications sharing the server
# are unlikely to collide with them.
ASSIGNMENT_LOCK_KEY = 0x6E6577736D6F6E01
RETENTION_LOCK_KEY = 0x6E6577736D6F6E02
MIGRATION_LOCK_KEY = 0x6E6577736D6F6E03
FEED_SYNC_LOCK_KEY = 0x6E6577736D6F6E04


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@contextmanager
def assignment_lock(conn: Connection) -> Iterator[None]:
    """Serialise story assignment across replicas.

    Use inside the transaction that reads candidate stories and writes the assignment:

        with engine.begin() as conn, assignment_lock(conn):
            ...

    The lock is released when that transaction commits or rolls back (it is transaction-scoped,
    so a crashed replica can never leave it held), not when the `with` block ends.
    """
    _xact_lock(conn, ASSIGNMENT_LOCK_KEY)
    yield


@contextmanager
def migration_lock(conn: Connection) -> Iterator[None]:
    """Replicas starting together migrate one after the other (the later ones find nothing to do).

    Without it, concurrent `CREATE TABLE`s on a fresh database fail in all but one replica.
    """
    _xact_lock(conn, MIGRATION_LOCK_KEY)
    yield


@contextmanager
def feed_sync_lock(conn: Connection) -> Iterator[None]:
    """Replicas starting together write the config's feed list one after the other.

    Without it, two replicas inserting the same new feed names collide on the unique name.
    """
    _xact_lock(conn, FEED_SYNC_LOCK_KEY)
    yield


def _xact_lock(conn: Connection, key: int) -> None:
    if _is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def try_xact_lock(conn: Connection, key: int) -> bool:
    """Take the advisory lock `key` for the rest of the transaction if no other session holds it.

    Always True on SQLite. Jobs that should run on one replica at a time (retention) skip their
    turn when this says False.
    """
    if not _is_postgres(conn):
        return True
    return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar_one())
