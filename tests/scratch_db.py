"""Scratch PostgreSQL databases for tests: one per test, dropped afterwards with its connections."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

_DROP_ATTEMPTS = 50


def create_scratch_database(admin: Engine, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def drop_scratch_database(admin: Engine, name: str) -> None:
    """DROP ... WITH (FORCE), retried while it is refused for want of privilege.

    FORCE ends every session in the database, and an autovacuum worker busy in it runs as no role:
    a role outside pg_signal_backend may not signal it (`.ci/run` grants that role), so on other
    servers the drop waits the worker out (it is short-lived on these small databases).
    """
    for attempt in range(_DROP_ATTEMPTS):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError as exc:
            if "pg_signal_backend" not in str(exc.orig) or attempt == _DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.2)
