"""Read-only figures for /healthz and /metrics: is the database there, and how much is in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, case, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.tables import articles, feeds, outbox, stories


def ping(engine: Engine) -> None:
    """Raise StorageError unless the database answers `SELECT 1`."""
    _check_sqlite_file(engine)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StorageError(f"database unreachable: {type(exc).__name__}: {reason}") from exc


def _check_sqlite_file(engine: Engine) -> None:
    # SQLite would quietly create an empty file in place of a missing one, and pooled
    # connections keep reading a moved-away file: check the path itself.
    url = engine.url
    on_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_file and not Path(str(url.database)).expanduser().is_file():
        raise StorageError(f"database file {url.database} is missing")


@dataclass(frozen=True)
class DatabaseStats:
    feeds: dict[str, int]  # active | erroring | disabled -> count
    alerts: dict[tuple[str, str], int]  # (state, channel) -> outbox rows
    stories: int
    articles: int


def snapshot(engine: Engine) -> DatabaseStats:
    """Counts for the scrape-time gauges; raises StorageError if the database does not answer."""
    feed_state = case(
        (feeds.c.enabled.is_(False), "disabled"),
        (feeds.c.error_count > 0, "erroring"),
        else_="active",
    )
    _check_sqlite_file(engine)
    try:
        with engine.connect() as conn:
            feed_counts = {state: n for state, n in conn.execute(
                select(feed_state, func.count()).group_by(feed_state))}
            alert_counts = {(state, channel): n for state, channel, n in conn.execute(
                select(outbox.c.state, outbox.c.channel, func.count())
                .group_by(outbox.c.state, outbox.c.channel))}
            story_count = conn.execute(select(func.count()).select_from(stories)).scalar_one()
            article_count = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read database figures: {exc}") from exc
    for state in ("active", "erroring", "disabled"):
        feed_counts.setdefault(state, 0)
    return DatabaseStats(feeds=feed_counts, alerts=alert_counts, stories=story_count, articles=article_count)
