"""Database URLs as people write them -> the URL SQLAlchemy opens, and a form safe to print.

Hosting services hand out `postgres://user:pass@host/db`, which SQLAlchemy does not know, and a
bare `postgresql://` would pick whatever driver SQLAlchemy prefers; both mean PostgreSQL through
psycopg 3, the driver we install. Other databases are not supported: saying so in one line beats a
traceback about a missing MySQLdb module.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from monitor.errors import StorageError

SUPPORTED = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE"
_POSTGRES = frozenset({"postgres", "postgresql", "postgres+psycopg", "postgresql+psycopg"})
_SQLITE = frozenset({"sqlite", "sqlite+pysqlite"})


def parse_database_url(url: str) -> URL:
    """The SQLAlchemy URL for `url`; StorageError (one line, no password) if we cannot use it."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise StorageError(f"not a database URL (use {SUPPORTED})") from None
    scheme = parsed.drivername.lower()
    if scheme in _POSTGRES:
        return parsed.set(drivername="postgresql+psycopg")
    if scheme in _SQLITE:
        return parsed.set(drivername="sqlite")
    name = scheme.split("+")[0]
    raise StorageError(f"unsupported database {name!r} in {scheme}:// (use {SUPPORTED})")


def database_url(url: str) -> str:
    """`url` as SQLAlchemy should open it (password kept), e.g. postgres:// -> postgresql+psycopg://."""
    return parse_database_url(url).render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """A database URL with its password masked, for printing."""
    try:
        return parse_database_url(url).render_as_string(hide_password=True)
    except StorageError:
        return url.split("://")[0] + "://..."


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()
