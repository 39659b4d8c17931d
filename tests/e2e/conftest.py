"""The `world` fixture: the loopback site, an SMTP sink and a config pointing at both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from tests.e2e.site import CONFIG, WATCHLIST


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[SiteServer, SmtpSink, Path]]:
    with SiteServer() as site, SmtpSink() as smtp:
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "syria.toml").write_text(WATCHLIST, encoding="utf-8")
        # matches every article and alerts nobody: its stories are recorded but not "alerted"
        (tmp_path / "watchlists" / "watch-only.toml").write_text('query = "/./"\n', encoding="utf-8")
        (tmp_path / "watchlists" / "broken.toml").write_text(
            'channels = ["pager"]\nterms = ["Baghouz"]\n', encoding="utf-8")
        config = tmp_path / "monitor.toml"
        config.write_text(CONFIG.format(db=tmp_path / "m.db", base=site.base_url, smtp=smtp.port),
                          encoding="utf-8")
        yield site, smtp, config
