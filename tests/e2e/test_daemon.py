"""`monitor run` as a real process: it polls and delivers on its schedule and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from monitor.demo.feeds import rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from tests.e2e.site import CONFIG, WATCHLIST, publish, seed_pages


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def start_daemon(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "-c", str(config), "--poll-seconds", "1",
         "--deliver-seconds", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def test_sighup_reloads_the_config_while_running(tmp_path: Path) -> None:
    with SiteServer() as site, SmtpSink() as smtp:
        for path in ("/hindi.rss", "/gulf.atom", "/stalled.rss", "/added.rss"):
            site.put(path, rss("empty", site.base_url, []))
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "syria.toml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.toml"
        text = CONFIG.format(db=tmp_path / "m.db", base=site.base_url, smtp=smtp.port)
        config.write_text(text + "\n[service]\nmetrics_port = 0\n", encoding="utf-8")
        process = start_daemon(config)
        try:
            assert wait_for(lambda: site.requested("/hindi.rss"), 60), "the daemon never polled"
            assert not site.requested("/added.rss")
            config.write_text(text + f'\n[[feeds]]\nname = "added"\nurl = "{site.base_url}/added.rss"\n'
                              "\n[service]\nmetrics_port = 0\n", encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            assert wait_for(lambda: site.requested("/added.rss"), 30), "the new feed was not polled"
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert "config reloaded on SIGHUP" in err


def test_run_delivers_then_stops_on_sigterm(tmp_path: Path) -> None:
    pages = seed_pages()
    english = [s for s, a in pages.items() if a["is_seed"] and a["language"] == "en"]
    with SiteServer() as site, SmtpSink() as smtp:
        site.put("/hindi.rss", rss("news", site.base_url, publish(site, pages, english)))
        site.put("/gulf.atom", rss("empty", site.base_url, []))
        site.put("/stalled.rss", rss("empty", site.base_url, []))
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "syria.toml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.toml"
        config.write_text(CONFIG.format(db=tmp_path / "m.db", base=site.base_url, smtp=smtp.port)
                          + "\n[service]\nmetrics_port = 0\n", encoding="utf-8")
        process = start_daemon(config)
        try:
            assert wait_for(lambda: len(smtp.messages) >= 2, 60), "no alert delivered by the daemon"
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert "daemon stopped" in err
        assert len(smtp.messages) == 2  # one per channel; the later ticks sent nothing again
