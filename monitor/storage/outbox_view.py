"""Read-only looks at the outbox for the web console: filtered pages of alerts and counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from monitor.errors import StorageError
from monitor.models import Alert
from monitor.storage.outbox import _row
from monitor.storage.tables import outbox


@dataclass(frozen=True)
class AlertFilter:
    states: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    story_id: int | None = None


@dataclass(frozen=True)
class AlertPage:
    rows: tuple[Alert, ...]
    total: int  # rows matching the filter, on every page


def _conditions(where: AlertFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.states:
        conditions.append(outbox.c.state.in_(list(where.states)))
    if where.channels:
        conditions.append(outbox.c.channel.in_(list(where.channels)))
    if where.story_id is not None:
        conditions.append(outbox.c.story_id == where.story_id)
    return conditions


def browse_alerts(conn: Connection, where: AlertFilter, *, offset: int = 0, limit: int = 50) -> AlertPage:
    """Alerts matching `where`, newest first."""
    conditions = _conditions(where)
    try:
        rows = conn.execute(select(outbox).where(*conditions)
                            .order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
                            .offset(offset).limit(limit)).all()
        total = conn.execute(select(func.count()).select_from(outbox).where(*conditions)).scalar_one()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot list alerts: {exc}") from exc
    return AlertPage(tuple(_row(r) for r in rows), int(total))


def alerts_by_id(conn: Connection, ids: Sequence[int]) -> list[Alert]:
    return [_row(r) for r in conn.execute(select(outbox).where(outbox.c.id.in_(list(ids)))
                                          .order_by(outbox.c.id))]


def alert_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """(state, channel) -> number of alerts."""
    rows = conn.execute(select(outbox.c.state, outbox.c.channel, func.count())
                        .group_by(outbox.c.state, outbox.c.channel))
    return {(state, channel): int(n) for state, channel, n in rows}
