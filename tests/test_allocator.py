"""The process caps glibc's malloc arenas before its threads start (memory, not CPU)."""

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc arenas")

# Eight threads allocate while all are alive; glibc's malloc_stats() then prints one "Arena N:" a heap.
SCRIPT = """
import ctypes, sys, threading
from monitor.allocator import cap_arenas
capped = cap_arenas() if sys.argv[1] == "cap" else False
if sys.argv[1] == "cli":
    from monitor.cli import main
    try:
        main(["--version"])
    except SystemExit:
        pass
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
all_in = threading.Barrier(8)
def work():
    blocks = [libc.malloc(4096) for _ in range(64)]
    all_in.wait()
    for block in blocks:
        libc.free(block)
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc.malloc_stats()
print(capped)
"""


def _arenas(mode: str, **env: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True,
                          env=environment)
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines()), done.stdout.split()[-1]


def test_threads_share_two_arenas_once_capped():
    uncapped, said = _arenas("free")
    assert said == "False" and uncapped > 2  # each thread took an arena of its own
    capped, said = _arenas("cap")
    assert said == "True" and capped <= 2


def test_the_operators_malloc_arena_max_wins():
    arenas, said = _arenas("cap", MALLOC_ARENA_MAX="4")
    assert said == "False" and 2 < arenas <= 4


def test_the_command_line_caps_them():
    """`monitor`'s entry point puts the cap in place before any command's threads start."""
    arenas, said = _arenas("cli")
    assert said == "False" and arenas <= 2  # this script did not cap: the command line did
