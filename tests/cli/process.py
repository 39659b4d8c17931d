"""Run `python -m monitor` as a real process, the way a user or a cron job does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def monitor(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            stdin: str | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """The finished process (text output); MONITOR_DATABASE_URL is cleared unless `env` sets it."""
    base = {k: v for k, v in os.environ.items() if k != "MONITOR_DATABASE_URL"}
    full_env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=full_env, input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False)


def assert_clean_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Failed with a message for people: no traceback, and every fragment in stderr."""
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
