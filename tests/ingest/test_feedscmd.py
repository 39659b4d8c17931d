"""`monitor feeds ...` through its argparse wiring (needs monitor.config, i.e. every area's settings)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from tests.faults.feeds import rss_bytes
from tests.faults.server import FaultServer

feedscmd = pytest.importorskip("monitor.cli.feedscmd", reason="monitor.config needs every area's settings")


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="monitor")
    feedscmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def config(tmp_path: Path) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/m.db"\n\n[http]\n'
                    'allowed_networks = ["127.0.0.0/8"]\ntotal_timeout = 3\n', encoding="utf-8")
    return path


def test_add_list_export_import(fault_server: FaultServer, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, rss_bytes(1, title="Local news"))
    cfg = str(config(tmp_path))
    assert cli(["feeds", "add", fault_server.url("/feed"), "--tags", "a,b", "--json", "-c", cfg]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "Local news" and added["tags"] == ["a", "b"]

    with open(cfg, "a", encoding="utf-8") as f:
        f.write('\n[[feeds]]\nname = "configured"\nurl = "https://configured.example/rss"\n')
    assert cli(["feeds", "list", "--json", "-c", cfg]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r["state"]) for r in rows] == [("Local news", "new"), ("configured", "new")]
    assert rows[0]["url"] == fault_server.url("/feed")

    out = tmp_path / "feeds.opml"
    assert cli(["feeds", "export", "-o", str(out), "-c", cfg]) == 0
    other = tmp_path / "other"
    other.mkdir()
    assert cli(["feeds", "import", str(out), "--json", "-c", str(config(other))]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["added"] == ["Local news", "configured"]


def test_enable_names_a_missing_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["feeds", "enable", "nope", "-c", str(config(tmp_path))]) == 1
    assert "no feed named 'nope'" in capsys.readouterr().err


def test_import_of_a_broken_file_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        cli(["feeds", "import", str(bad), "-c", str(config(tmp_path))])
    assert str(info.value).startswith(f"{bad}:1")
