"""Options and output helpers shared by command modules."""

from __future__ import annotations

import argparse
import json
import sys
import time
from types import TracebackType
from typing import Any, TextIO

from monitor.config import DEFAULT_CONFIG
from monitor.storage.urls import safe_url

__all__ = ["Progress", "add_config_option", "add_json_option", "emit_json", "safe_url", "say"]


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", default=str(DEFAULT_CONFIG),
                        help=f"config file (default: {DEFAULT_CONFIG})")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON Lines on stdout, for programs")


def emit_json(obj: Any) -> None:
    """One JSON line on stdout, flushed: a program reading a long run sees each line as it comes."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A line for people: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr)


class Progress:
    """A progress line on stderr for long commands: redrawn in place on a terminal, silent otherwise.

    `[##########....................] 120/360 articles, 4 matches` with a known total, else
    `120 articles, 4 matches`. A pipe or a log file gets nothing: the command prints its summary
    line itself when it is done, terminal or not. Redraws at most every `interval` seconds.
    """

    def __init__(self, unit: str, total: int | None = None, *, stream: TextIO | None = None,
                 interval: float = 0.1) -> None:
        self.unit, self.total = unit, total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.count = 0
        self.detail = ""
        self._interval = interval
        self._drawn_at: float | None = None
        self._width = 0

    def advance(self, step: int = 1, detail: str | None = None) -> None:
        """`step` more units done; `detail` (e.g. "4 matches") replaces the text after the count."""
        self.count += step
        if detail is not None:
            self.detail = detail
        self._draw()

    def line(self) -> str:
        counted = f"{self.count} {self.unit}"
        if self.total is not None:
            width = 30
            filled = width * min(self.count, self.total) // max(self.total, 1)
            counted = f"[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} {self.unit}"
        return f"{counted}, {self.detail}" if self.detail else counted

    def done(self) -> None:
        """Draw the last state and end the line (on a terminal)."""
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.done()

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and self._drawn_at is not None and now - self._drawn_at < self._interval:
            return
        self._drawn_at = now
        line = self.line()
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width = len(line)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
