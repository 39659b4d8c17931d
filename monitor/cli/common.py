"""Options and output helpers shared by command modules."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
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
    line itself when it is done, terminal or not; closing erases the line so that summary starts on a
    clean one. Redraws at most every `interval` seconds (always the last one), cut to the terminal.

        with Progress("articles", total=len(rows)) as progress:
            for row in rows:
                ...
                progress.advance(1, f"{matches} matches")
    """

    def __init__(self, unit: str, total: int | None = None, *, stream: TextIO | None = None,
                 interval: float = 0.1) -> None:
        self.unit, self.total = unit, total
        self.stream = stream if stream is not None else sys.stderr
        self.live = _is_terminal(self.stream)
        self.count = 0
        self.detail = ""
        self._interval = interval
        self._drawn_at: float | None = None

    @classmethod
    def over_records(cls, unit: str, path: str | Path) -> Progress:
        """Progress through the records (non-empty lines) of `path`, counted first, and only when the
        line is drawn: a pipe or a log file gets no progress, so the file is not read twice for it."""
        progress = cls(unit)
        if progress.live and str(path) != "-":
            try:
                with open(path, "rb") as fh:
                    progress.total = sum(1 for line in fh if line.strip())
            except OSError:
                pass  # the command itself says what is wrong with the file
        return progress

    def advance(self, step: int = 1, detail: str | None = None) -> None:
        """`step` more units done; `detail` (e.g. "4 matches") replaces the text after the count."""
        self.update(self.count + step, self.total, detail)

    def update(self, done: int, total: int | None, detail: str | None = None) -> None:
        """`done` of `total` units (a callback shape: `import_opml(progress=progress.update)`)."""
        self.count, self.total = done, total
        if detail is not None:
            self.detail = detail
        self._draw(force=total is not None and done >= total)

    def message(self, text: str) -> None:
        """A line for people (stderr) while the progress line is up: it gives way, then comes back."""
        self.close()
        print(text, file=self.stream)

    def line(self) -> str:
        counted = f"{self.count} {self.unit}"
        if self.total is not None:
            width = 30
            filled = width * min(self.count, self.total) // max(self.total, 1)
            counted = f"[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} {self.unit}"
        return f"{counted}, {self.detail}" if self.detail else counted

    def close(self) -> None:
        """Erase the line (on a terminal)."""
        if self._drawn_at is not None:
            self.stream.write("\r" + _CLEAR_TO_END)
            self.stream.flush()
            self._drawn_at = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _draw(self, *, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if not force and self._drawn_at is not None and now - self._drawn_at < self._interval:
            return
        self._drawn_at = now
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r" + self.line()[:width] + _CLEAR_TO_END)
        self.stream.flush()


_CLEAR_TO_END = "\x1b[K"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
