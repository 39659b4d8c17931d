"""Engine creation and migrations. SQLite by default (a file in WAL mode); PostgreSQL by URL."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.locks import migration_lock
from monitor.storage.urls import parse_database_url, safe_url, sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"
_FIX = "create it, or correct [database] url or MONITOR_DATABASE_URL"


def create_db_engine(url: str) -> Engine:
    """An engine for `url` (`postgres://` and `postgresql://` go through psycopg).

    A SQLite file is created on first use, but its folder must exist: a mistyped path is an error,
    not a new empty database that makes every feed and story look gone.
    """
    parsed = parse_database_url(url)
    path = sqlite_file(url)
    if path is not None:
        _check_folder(path)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


def open_existing_db(url: str) -> Engine:
    """An engine for a database a run has already created (read-only commands: nothing to show otherwise)."""
    path = sqlite_file(url)
    if path is not None:
        _check_folder(path)
        if not path.is_file():
            raise StorageError(f"no database at {path} yet: `monitor once` creates it")
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            created = bool(_stored_revisions(conn))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StorageError(f"cannot open the database {safe_url(url)}: {_reason(exc)}") from exc
    if not created:
        engine.dispose()
        raise StorageError(f"the database {safe_url(url)} has no tables yet: `monitor once` creates them")
    return engine


def describe_database(url: str) -> str:
    """What `check-config` says: it connects, and creates, writes and migrates nothing."""
    path = sqlite_file(url)
    if path is not None:
        _check_folder(path)
        if not path.exists():
            return f"new: the first run creates {path}"
    engine = create_engine(parse_database_url(url), connect_args=_probe_args(url))
    try:
        with engine.connect() as conn:
            current = _stored_revisions(conn) or frozenset()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot connect to {safe_url(url)}: {_reason(exc)}") from exc
    finally:
        engine.dispose()
    if not current:
        return "connected; empty: the first run creates the tables"
    if current == _newest_revisions():
        return "connected; schema up to date"
    return "connected; the next run applies new migrations"


def _probe_args(url: str) -> dict[str, int]:
    return {"timeout": 5} if sqlite_file(url) is not None else {"connect_timeout": 10}


def _check_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise StorageError(f"cannot open the SQLite database {path}: folder {path.parent} does not exist "
                           f"({_FIX})")


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line (e.g. 'password authentication failed for user "monitor"')."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # transactions are begun by _begin_immediate, not by sqlite3
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    """SQLite has one writer at a time. A transaction begun the default (deferred) way that reads and
    then writes fails at once with "database is locked" when another connection wrote in between: the
    busy timeout does not help it. Taking the write lock at BEGIN makes the second job wait its turn
    (busy_timeout) instead; the jobs' transactions are short. A long read that writes nothing says so
    (`reading`) and takes no lock."""
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


_READ_ONLY = "monitor_read_only"


def reading(engine: Engine) -> Connection:
    """A connection for reads only (`with reading(engine) as conn:`): on SQLite it blocks no writer."""
    return engine.connect().execution_options(**{_READ_ONLY: True})


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (all heads: feature branches may add their own).

    A database already there is only looked at: alembic (a tenth of a second and 12 MB to import, at
    every start) is loaded to change a schema, not to find that there is nothing to change."""
    try:
        with engine.begin() as connection, migration_lock(connection):
            heads = script_heads()
            if heads is not None and _stored_revisions(connection) == heads:
                return
            from alembic import command

            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot migrate the database: {exc}") from exc


@cache
def script_heads() -> frozenset[str] | None:
    """The newest revisions of migrations/versions (read from the files' `revision` and `down_revision`),
    or None when a file uses what only alembic can resolve (depends_on, branch labels)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        names = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        names[target.id] = node.value
        values = {key: ast.literal_eval(names[key]) if key in names else None
                  for key in ("revision", "down_revision", "depends_on", "branch_labels")}
        if not isinstance(values["revision"], str) or values["depends_on"] or values["branch_labels"]:
            return None
        revisions.add(values["revision"])
        down = values["down_revision"]
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def _newest_revisions() -> frozenset[str]:
    heads = script_heads()
    if heads is None:
        from alembic.script import ScriptDirectory

        heads = frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
    return heads


def _stored_revisions(conn: Connection) -> frozenset[str] | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
