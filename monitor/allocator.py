"""Fewer malloc arenas for a process with many threads.

glibc gives each thread that allocates while others do an arena of its own, up to eight per core,
and an arena's free memory mostly stays with the process. Here the jobs' worker threads
and the model's OpenMP threads allocate at once; with the model's AVX-512 kernels (its stages now
overlap the others') one `monitor once` over 1,000 articles peaked at 437-453 MB of memory, against
355-370 MB with two arenas, for the same CPU (bench/RESULTS-pipeline.md). MALLOC_ARENA_MAX, when
set, is the operator's choice and wins.
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def cap_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's arenas for the threads that start from now on; False where that is not glibc's
    malloc (musl, macOS) or MALLOC_ARENA_MAX says otherwise."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))
