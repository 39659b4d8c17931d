"""Helpers for people at a terminal: relative times and a progress line that only a terminal sees."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from monitor.cli.common import Progress
from monitor.cli.relative_time import relative_time

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("offset, words", [
    (timedelta(0), "now"),
    (timedelta(seconds=-42), "42 s ago"),
    (timedelta(minutes=-3), "3 min ago"),
    (timedelta(minutes=12), "in 12 min"),
    (timedelta(minutes=89), "in 89 min"),
    (timedelta(hours=-5), "5 h ago"),
    (timedelta(hours=47), "in 47 h"),
    (timedelta(days=-3), "3 days ago"),
])
def test_relative_time(offset: timedelta, words: str) -> None:
    assert relative_time(NOW + offset, NOW) == words


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_redraws_on_a_terminal_and_erases_itself() -> None:
    screen = Terminal()
    with Progress("feeds imported", stream=screen, interval=0) as progress:
        progress.update(1, 2, "one")
        progress.update(2, 2, "two")
    half, full = "#" * 15 + "." * 15, "#" * 30
    assert screen.getvalue() == (f"\r[{half}] 1/2 feeds imported, one\x1b[K"
                                 f"\r[{full}] 2/2 feeds imported, two\x1b[K\r\x1b[K")


def test_progress_line_writes_nothing_to_a_pipe_or_file() -> None:
    piped = io.StringIO()
    with Progress("feeds imported", stream=piped) as progress:
        progress.update(1, 2, "one")
    assert piped.getvalue() == "" and not progress.live
