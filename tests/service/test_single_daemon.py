"""Two `monitor run` on one SQLite file: the second is refused by name; a killed one blocks nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import StorageError
from monitor.service.single_daemon import lock_path, single_daemon

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def start(config: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "monitor", "run", "-c", str(config), "--poll-seconds", "60"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def holds_lock(lock: Path, pid: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().startswith(f"pid {pid} "):
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


def read_stderr(process: subprocess.Popen[str]) -> list[str]:
    """The process's stderr lines, collected as they come (so the pipe never fills)."""
    lines: list[str] = []
    assert process.stderr is not None
    stream = process.stderr
    threading.Thread(target=lambda: lines.extend(stream), daemon=True).start()
    return lines


def started(lines: list[str], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any("daemon started" in line for line in lines):
            return True
        time.sleep(0.1)
    return False


def test_second_daemon_is_refused_and_a_killed_one_does_not_block_the_next(tmp_path: Path) -> None:
    database = tmp_path / "state" / "monitor.db"
    database.parent.mkdir()  # a SQLite database's folder must exist
    (tmp_path / "watchlists").mkdir()
    config = tmp_path / "monitor.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{database}"\n\n[service]\nmetrics_port = 0\n',
                      encoding="utf-8")
    lock = lock_path(database)
    first = start(config)
    read_stderr(first)
    try:
        assert holds_lock(lock, first.pid), "the first daemon never took the lock"
        second = subprocess.run([sys.executable, "-m", "monitor", "run", "-c", str(config)],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert second.returncode == 1
        assert f"another `monitor run` (pid {first.pid} on " in second.stderr
        assert f"is using {database}; stop it first" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        stop(first, signal.SIGKILL)  # a crash: the kernel drops the lock with the process
    third = start(config)
    log = read_stderr(third)
    try:
        assert holds_lock(lock, third.pid), "a killed daemon's lock blocked the next start"
        assert started(log), "".join(log)
    finally:
        stop(third)
    assert third.returncode == 0, "".join(log)


def test_the_lock_is_held_for_the_block_only_and_names_its_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    with single_daemon(url, now=NOW) as path:
        assert path == tmp_path / "monitor.db.daemon.lock"
        holder = f"pid {os.getpid()} on {socket.gethostname()}, since 2026-06-01 12:00:00 UTC"
        assert path.read_text() == holder
        # flock is per open file: a second open in this process conflicts just like another daemon
        with pytest.raises(StorageError, match=f"pid {os.getpid()} on"), single_daemon(url, now=NOW):
            pass
    with single_daemon(url, now=NOW):
        pass


def test_postgres_needs_no_lock_file() -> None:
    with single_daemon("postgresql+psycopg://monitor@127.0.0.1:1/monitor", now=NOW) as path:
        assert path is None
