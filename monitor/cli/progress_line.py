"""A progress line on stderr, redrawn in place, for long commands run by a person.

Silent unless stderr is a terminal: piped or logged runs get no carriage returns in their output.

    with ProgressLine("importing") as progress:
        for done, item in enumerate(items, 1):
            progress.update(done, len(items), item.name)
"""

from __future__ import annotations

import shutil
import sys
from types import TracebackType
from typing import TextIO

_CLEAR_TO_END = "\x1b[K"


class ProgressLine:
    def __init__(self, label: str, *, stream: TextIO | None = None) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._live = _is_terminal(self._stream)
        self._drawn = False

    @property
    def live(self) -> bool:
        """Whether anything is drawn (stderr is a terminal)."""
        return self._live

    def update(self, done: int, total: int, note: str = "") -> None:
        if not self._live:
            return
        width = shutil.get_terminal_size((80, 24)).columns - 1
        line = f"{self._label} {done}/{total}" + (f"  {note}" if note else "")
        self._stream.write("\r" + line[:width] + _CLEAR_TO_END)
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the line, so the summary printed next starts on a clean one."""
        if self._drawn:
            self._stream.write("\r" + _CLEAR_TO_END)
            self._stream.flush()
            self._drawn = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
