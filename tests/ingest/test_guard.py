"""The first run on an intranet feed: the guard refuses it, says which key to set, check-config warns
beforehand, and once the key is set the next `monitor once` polls the feed instead of waiting out
its back-off. `once --all` polls every enabled feed whatever its schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.storage.db import create_db_engine
from monitor.storage.feeds import get_feed
from tests.faults.feeds import item, rss
from tests.faults.server import FaultServer

HINT = 'allow it with [http] allowed_networks = ["127.0.0.0/8"]'


def feed_document(server: FaultServer) -> bytes:
    return rss([item(n, link=server.url(f"/story/{n}")) for n in (1, 2)]).encode()


def write_config(tmp_path: Path, feed_url: str, *, http: str = "") -> Path:
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    path = tmp_path / "monitor.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/m.db"\n\n[http]\nconnect_timeout = 1\n'
                    f'total_timeout = 3\n{http}\n[[feeds]]\nname = "intranet"\nurl = "{feed_url}"\n',
                    encoding="utf-8")
    return path


def last_error(tmp_path: Path) -> str | None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/m.db")
    try:
        with engine.connect() as conn:
            feed = get_feed(conn, name="intranet")
    finally:
        engine.dispose()
    assert feed is not None
    return feed.last_error


def test_blocked_feed_names_the_key_and_is_polled_once_the_config_allows_it(
        fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, feed_document(fault_server))
    config = write_config(tmp_path, fault_server.url("/feed"))

    assert main(["check-config", "-c", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"feed 'intranet' ({fault_server.url('/feed')}) would fail" in out and HINT in out

    assert main(["once", "-c", str(config)]) == 0
    error = last_error(tmp_path)
    assert error is not None and error.startswith("blocked: 127.0.0.1 is a loopback address")
    assert HINT in error
    assert fault_server.seen == []

    write_config(tmp_path, fault_server.url("/feed"), http='allowed_networks = ["127.0.0.0/8"]\n')
    assert main(["check-config", "-c", str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["warnings"] == []
    assert main(["once", "-c", str(config)]) == 0  # no --all: the blocked feed is due again by itself
    assert len(fault_server.requests_to("/feed")) == 1
    assert last_error(tmp_path) is None


def test_once_all_polls_feeds_that_are_not_due(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, feed_document(fault_server))
    config = write_config(tmp_path, fault_server.url("/feed"), http='allowed_networks = ["127.0.0.0/8"]\n')
    assert main(["once", "-c", str(config)]) == 0
    assert main(["once", "-c", str(config)]) == 0  # polled a moment ago: not due
    assert len(fault_server.requests_to("/feed")) == 1
    assert main(["once", "--all", "-c", str(config)]) == 0
    assert main(["once", "--now", "-c", str(config)]) == 0
    assert len(fault_server.requests_to("/feed")) == 3
