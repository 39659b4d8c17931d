"""Feeds as the console shows them: the CLI's `feeds list --json` row, plus the articles of the last day
and the feed's health in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from monitor.ingest.feedlist import status_rows
from monitor.storage.feed_activity import articles_since
from monitor.web.context import ConsoleContext


@dataclass(frozen=True)
class FeedRow:
    record: dict[str, Any]  # exactly `monitor feeds list --json`
    articles_last_day: int

    @property
    def name(self) -> str:
        return str(self.record["name"])

    @property
    def state(self) -> str:
        return str(self.record["state"])

    def when(self, key: str) -> datetime | None:
        value = self.record.get(key)
        return datetime.fromisoformat(value) if value else None

    @property
    def health(self) -> str:
        """What is wrong (or right) with the feed, in a sentence."""
        record = self.record
        if record["state"] == "disabled":
            return f"switched off: {record['disabled_reason'] or 'no reason recorded'}"
        if record["state"] == "new":
            return "not checked yet"
        if record["error_count"]:
            checks = record["error_count"]
            status = record["last_status"]
            said = f" (the server answered {status_words(status)})" if status else ""
            return (f"failing for {checks} check{'s' if checks != 1 else ''} in a row: "
                    f"{record['last_error'] or 'no error recorded'}{said}")
        if record["warning"]:
            return f"working, with a warning: {record['warning']}"
        return "working"

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "articles_last_day": self.articles_last_day}


def status_words(status: int | None) -> str:
    if status is None:
        return "nothing"
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def feed_rows(context: ConsoleContext, *, errors_only: bool = False) -> list[FeedRow]:
    since = context.clock.now() - timedelta(days=1)
    with context.engine.connect() as conn:
        recent = articles_since(conn, since)
    return [FeedRow(record, recent.get(str(record["name"]), 0))
            for record in status_rows(context.engine, errors_only=errors_only)]
