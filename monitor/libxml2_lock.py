"""One thread at a time in libxml2: lxml, and trafilatura, readability and htmldate on top of it.

Pages extracted side by side in threads crashed the whole process now and then: glibc's "free():
invalid pointer", "double free or corruption" or a segfault, inside lxml's parser, its tree copies and
trafilatura's XPath pruning. Eight threads extracting three pages each crashed about one process in
75 (`python -m bench.extraction_threads` counts them). trafilatura's users see it too
(adbar/trafilatura#840 and #925, open). lxml lets go of the GIL while it parses, so threads do meet
inside libxml2; the rest of an extraction holds the GIL anyway, and one thread at a time cost the
content job less CPU than several, not more (bench/RESULTS-pipeline.md, stop 26).

Every function of ours that builds a tree holds the lock for the tree's whole life. A tree must not be
freed outside it either: an exception's traceback keeps the frames, and with them their trees, alive,
so their locals are cleared before the lock is let go (the traceback itself is kept for the log).
"""

from __future__ import annotations

import functools
import threading
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_LOCK = threading.RLock()  # reentrant: one guarded function may call another


def one_thread_in_libxml2(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, run under the process's libxml2 lock; its trees die before the lock is let go."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        with _LOCK:
            try:
                return function(*args, **kwargs)
            except BaseException as exc:
                _drop_locals(exc)
                raise

    return guarded


def held_elsewhere() -> bool:
    """Another thread is in libxml2 now: a caller that must not wait for it (the event loop) should
    hand its work to a thread."""
    if _LOCK.acquire(blocking=False):
        _LOCK.release()
        return False
    return True


def _drop_locals(exc: BaseException) -> None:
    """Clear the finished frames of `exc` and of the exceptions it was raised from or during."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # a frame still running is skipped
        pending += [current.__cause__, current.__context__]
