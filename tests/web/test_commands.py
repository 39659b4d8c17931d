"""`monitor run` and `monitor web` serve the console; `monitor demo --web` keeps it up on the demo data.

Real processes on loopback, stopped by a signal as a person or systemd would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
[database]
url = "sqlite:///{db}"

[web]
port = {port}

[[feeds]]
name = "configured-feed"
url = "http://127.0.0.1:9/feed.rss"
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited early: {process.communicate()[1]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[str, str]:
    process.send_signal(sig)
    try:
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.slow
def test_monitor_run_serves_the_console_api_health_and_metrics_on_one_port(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG.format(db=tmp_path / "m.db", port=port), encoding="utf-8")
    process = _start("run", "-c", str(config), "--poll-seconds", "3600", "--deliver-seconds", "3600")
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        page = httpx.get(f"{url}/feeds", timeout=10, trust_env=False)
        api = httpx.get(f"{url}/api/v1/feeds", timeout=10, trust_env=False)
        metrics = httpx.get(f"{url}/metrics", timeout=10, trust_env=False)
    finally:
        _, err = _stop(process)
    assert process.returncode == 0, err
    assert page.status_code == 200 and "configured-feed" in page.text
    assert [f["name"] for f in api.json()["feeds"]] == ["configured-feed"]
    assert "monitor_database_up 1.0" in metrics.text


def test_monitor_web_serves_on_its_own_and_says_where(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG.format(db=tmp_path / "m.db", port=9), encoding="utf-8")
    process = _start("web", "-c", str(config), "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout=60)
        api = httpx.get(f"{url}/api/v1/feeds", timeout=10, trust_env=False)
    finally:
        out, err = _stop(process)
    assert process.returncode == 0, err
    assert json.loads(out.splitlines()[0]) == {"url": f"{url}/", "changes": False}
    assert f"web console at {url}/" in err
    assert [f["name"] for f in api.json()["feeds"]] == ["configured-feed"]


def test_monitor_web_refuses_all_interfaces_without_a_token(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG.format(db=tmp_path / "m.db", port=0), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "monitor", "web", "-c", str(config), "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert "refusing to listen on 0.0.0.0, which is not a loopback address, without a token" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_monitor_demo_web_prints_the_address_of_the_seeds_story(tmp_path: Path) -> None:
    process = _start("demo", "--web")
    assert process.stdout is not None
    lines = []
    try:
        for line in process.stdout:  # the demo's report, then the console's address
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        seeds = next(line.split(": ", 1)[1].strip() for line in lines if "the seeds' story" in line)
        story = httpx.get(seeds, timeout=10, trust_env=False)
    finally:
        _, err = _stop(process, signal.SIGINT)
    assert process.returncode == 0, err
    assert "in 3 languages" in "".join(lines) and "sign in with the token:" in "".join(lines)
    assert story.status_code == 200
    assert 'lang="ar" dir="rtl"' in story.text and 'id="lang-hi"' in story.text
