"""The README's "Your first real feeds", followed as written, with real processes: the mail server that
prints what it gets, the sample site served on loopback, the example config copied and edited as the
README says, then `check-config` and `once`. The first alert must arrive."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _readme_feeds(site_port: int) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your first real feeds", 1)[1].split("\n## ", 1)[0]
    assert "allowed_networks = [\"127.0.0.0/8\"]" in section
    snippet = section.split("<!-- first-feeds:", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    return snippet.replace("127.0.0.1:8000", f"127.0.0.1:{site_port}")


def _without_feeds(toml: str) -> str:
    kept, in_feed = [], False
    for line in toml.splitlines():
        if line.startswith("["):
            in_feed = line.strip() == "[[feeds]]"
        if not in_feed:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _config_as_the_readme_says(folder: Path, site_port: int, smtp_port: int) -> Path:
    shutil.copytree(ROOT / "config", folder / "config")
    (folder / "var").mkdir()  # a clone has it (var/.gitkeep): the example's database goes there
    path = folder / "config" / "monitor.toml"
    text = (folder / "config" / "monitor.example.toml").read_text(encoding="utf-8")  # cp example monitor.toml
    text = re.sub(r"^# allowed_networks = .*$", 'allowed_networks = ["127.0.0.0/8"]', text, flags=re.M)
    text = _without_feeds(text)  # the example's feeds need the internet
    text = text.replace("port = 8025", f"port = {smtp_port}")
    path.write_text(text + "\n" + _readme_feeds(site_port), encoding="utf-8")
    return path


@pytest.fixture
def servers() -> Iterator[tuple[int, int, subprocess.Popen[str]]]:
    """The two background commands of the README, on free ports."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    site_port, smtp_port = _free_port(), _free_port()
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    site = subprocess.Popen([sys.executable, "-m", "monitor", "demo", "--serve", str(site_port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    try:
        assert site.stdout is not None
        assert "The sample site is up" in site.stdout.readline()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the mail server listens
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", smtp_port)) == 0:
                    break
            time.sleep(0.2)
        yield site_port, smtp_port, smtp
    finally:
        for process in (site, smtp):
            process.terminate()
            process.wait(timeout=30)


@pytest.mark.slow
def test_the_first_real_feeds_section_of_the_readme_gives_a_first_alert(
        servers: tuple[int, int, subprocess.Popen[str]], tmp_path: Path) -> None:
    site_port, smtp_port, smtp = servers
    config = _config_as_the_readme_says(tmp_path, site_port, smtp_port)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "monitor", *args, "-c", str(config)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=300)

    checked = monitor("check-config")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    started = time.monotonic()
    once = monitor("once")
    assert once.returncode == 0, once.stderr
    assert time.monotonic() - started < 120
    assert "poll:" in once.stderr and "deliver:" in once.stderr and "3 feeds polled" in once.stderr
    smtp.terminate()
    printed, _ = smtp.communicate(timeout=30)
    assert "Subject: [syria-conflict]" in printed, printed[-2000:]
