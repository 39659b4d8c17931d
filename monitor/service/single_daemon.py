"""One `monitor run` per SQLite file: a second daemon on the same file is refused, by name.

SQLite has one writer at a time; two daemons on one file make each other's writes wait and fail
with "database is locked" instead of sharing the work (that is what PostgreSQL is for). The lock is
an exclusive `flock` on a file beside the database, held for the daemon's life. The kernel drops it
when the process ends, however it ends, so a crashed or killed daemon never blocks the next start.
`monitor once` and the other commands take no lock: they run beside a daemon as before.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from monitor.errors import StorageError
from monitor.storage.db import create_db_engine
from monitor.storage.urls import sqlite_file


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".daemon.lock")


@contextmanager
def single_daemon(database_url: str, *, now: datetime) -> Iterator[Path | None]:
    """Hold the daemon lock of a SQLite database for the block (nothing to hold on PostgreSQL).

    Raises StorageError naming the running daemon (pid, host, start time) when another holds it.
    """
    database = sqlite_file(database_url)
    if database is None:
        yield None
        return
    create_db_engine(database_url).dispose()  # the database layer's rule for a missing folder applies
    path = lock_path(database)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageError(f"cannot create the daemon lock {path} ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another process"
            raise StorageError(
                f"another `monitor run` ({holder}) is using {database}; stop it first. One daemon per "
                "SQLite file: run several only on PostgreSQL (docs/deploy.md)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {now:%Y-%m-%d %H:%M:%S %Z}"
                  .strip().encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
