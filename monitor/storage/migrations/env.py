"""Alembic environment: run programmatically by `monitor.storage.db.migrate`, never by hand-edited ini."""

from __future__ import annotations

from alembic import context

from monitor.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` on the command line takes this path
    raise SystemExit("run migrations through `monitor` (they are applied on start)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
