"""Migrations apply on SQLite and PostgreSQL, twice without harm, and leave the tables the code queries."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from monitor.storage import tables
from monitor.storage.db import alembic_config, create_db_engine, migrate, script_heads, table_names


def test_migrations_create_every_table_and_are_idempotent(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        assert table_names(engine) == []
        migrate(engine)
        first = table_names(engine)
        migrate(engine)  # a restart applies them again: nothing changes, nothing fails
        assert table_names(engine) == first
        assert set(tables.metadata.tables) <= set(first)
        assert "alembic_version" in first
        with engine.connect() as conn:
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert sorted(heads) == sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    finally:
        engine.dispose()


def test_migrated_columns_match_the_table_definitions(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        migrate(engine)
        inspector = inspect(engine)
        for name, table in tables.metadata.tables.items():
            columns = {c["name"] for c in inspector.get_columns(name)}
            assert columns == {c.name for c in table.columns}, name
    finally:
        engine.dispose()


def test_the_heads_read_from_the_files_are_alembics() -> None:
    """`migrate` skips alembic when the database holds these: they must be the heads alembic finds."""
    assert script_heads() == frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_database_behind_the_newest_revision_is_migrated(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:  # as a version of the daemon before the newest migrations left it
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        migrate(engine)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert frozenset(stored) == script_heads() and set(tables.metadata.tables) <= set(table_names(engine))
    finally:
        engine.dispose()
