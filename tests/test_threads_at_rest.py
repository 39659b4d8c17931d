"""Library thread pools that would spin beside the jobs are kept small before they load."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")

# numpy's OpenBLAS starts its workers when numpy loads; the threads of the process are counted then.
SCRIPT = """
import os, sys
if sys.argv[1] == "monitor":
    import monitor
import numpy
print(len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


def _threads(first: str, **env: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | env
    done = subprocess.run([sys.executable, "-c", SCRIPT, first], capture_output=True, text=True, check=True,
                          env=environment)
    count, setting = done.stdout.split()
    return int(count), setting


def test_numpy_loaded_after_monitor_starts_no_blas_workers():
    alone, _ = _threads("monitor", OPENBLAS_NUM_THREADS="1")
    after_monitor, setting = _threads("monitor")
    assert setting == "1" and after_monitor == alone
    if (os.cpu_count() or 1) > 1:  # without monitor, OpenBLAS starts a worker for every other core
        assert _threads("numpy")[0] > alone


def test_the_operators_openblas_setting_wins():
    threads, setting = _threads("monitor", OPENBLAS_NUM_THREADS="2")
    assert setting == "2" and threads == _threads("numpy", OPENBLAS_NUM_THREADS="2")[0]
    if (os.cpu_count() or 1) > 1:  # OpenBLAS takes at most one thread a core
        assert threads > _threads("numpy", OPENBLAS_NUM_THREADS="1")[0]
