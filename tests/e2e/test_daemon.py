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
from tests.e2e.test_pipeline import CONFIG, WATCHLIST, publish, seed_pages


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


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
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "-c", str(config), "--poll-seconds", "1",
             "--deliver-seconds", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
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
