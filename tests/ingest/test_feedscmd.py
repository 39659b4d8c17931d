"""`monitor feeds ...` through its argparse wiring (needs monitor.config, i.e. every area's settings)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.clock import SystemClock
from monitor.errors import ConfigError
from monitor.models import FeedUpdate
from monitor.storage.db import create_db_engine
from monitor.storage.feeds import get_feed, record_poll
from tests.faults.feeds import item, rss, rss_bytes
from tests.faults.server import FaultServer

ROOT = Path(__file__).resolve().parents[2]

feedscmd = pytest.importorskip("monitor.cli.feedscmd", reason="monitor.config needs every area's settings")


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="monitor")
    feedscmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def config(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
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


def names(cfg: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[tuple[str, str]]:
    capsys.readouterr()
    assert cli(["feeds", "list", "--json", "-c", cfg, *extra]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [(r["name"], r["state"]) for r in rows]


def test_disable_enable_rename_and_remove_a_feed_added_by_hand(
        fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, rss_bytes(1, title="Local news"))
    cfg = str(config(tmp_path))
    assert cli(["feeds", "add", fault_server.url("/feed"), "-c", cfg]) == 0
    assert cli(["feeds", "disable", "Local news", "-c", cfg]) == 0
    assert "disabled 'Local news'" in capsys.readouterr().err
    assert names(cfg, capsys) == [("Local news", "disabled")]
    assert cli(["feeds", "enable", "Local news", "-c", cfg]) == 0
    assert cli(["feeds", "rename", "Local news", "local", "-c", cfg]) == 0
    assert names(cfg, capsys) == [("local", "new")]
    assert cli(["feeds", "check", "local", "-c", cfg]) == 0
    assert cli(["feeds", "remove", "local", "-c", cfg]) == 0
    assert "removed 'local'" in capsys.readouterr().err
    assert names(cfg, capsys) == []
    for action in (["disable", "local"], ["rename", "local", "x"], ["remove", "local"], ["check", "local"]):
        assert cli(["feeds", *action, "-c", cfg]) == 1
        assert "no feed named 'local'" in capsys.readouterr().err


def test_config_feeds_are_renamed_and_removed_in_the_file_and_disabling_them_lasts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path)
    with open(path, "a", encoding="utf-8") as f:
        f.write('\n[[feeds]]\nname = "configured"\nurl = "https://configured.example/rss"\n')
    cfg = str(path)
    line = path.read_text(encoding="utf-8").splitlines().index('name = "configured"') + 1
    for action, advice in ((["rename", "configured", "x"], "rename it in the file"),
                           (["remove", "configured"], "delete its [[feeds]] table from the file")):
        with pytest.raises(ConfigError) as info:
            cli(["feeds", *action, "-c", cfg])
        assert str(info.value).startswith(f"{path}:{line}: key 'feeds[0].name': feed 'configured' comes from "
                                          "this config file")
        assert advice in str(info.value)
    assert cli(["feeds", "disable", "configured", "-c", cfg]) == 0
    assert names(cfg, capsys) == [("configured", "disabled")]  # listing syncs the config again: still off
    assert names(cfg, capsys, "--errors") == [("configured", "disabled")]


def test_adding_a_known_url_again_says_so_and_adds_no_copy(
        fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, rss_bytes(1, title="Local news"))
    fault_server.routes["/configured"] = lambda r: r.respond(200, rss_bytes(1, title="Configured"))
    path = config(tmp_path)
    with open(path, "a", encoding="utf-8") as f:
        f.write(f'\n[[feeds]]\nname = "configured"\nurl = "{fault_server.url("/configured")}"\n')
    cfg = str(path)
    assert cli(["feeds", "add", fault_server.url("/feed"), "-c", cfg]) == 0
    capsys.readouterr()
    assert cli(["feeds", "add", fault_server.url("/feed"), "--name", "again", "--json", "-c", cfg]) == 0
    captured = capsys.readouterr()
    assert "already subscribed as 'Local news'" in captured.err and "nothing added" in captured.err
    assert json.loads(captured.out)["added"] is False
    assert cli(["feeds", "add", fault_server.url("/configured"), "-c", cfg]) == 0
    assert "already subscribed as 'configured'" in capsys.readouterr().err
    assert fault_server.requests_to("/configured") == []  # known without asking the server
    assert sorted(names(cfg, capsys)) == [("Local news", "new"), ("configured", "new")]


def test_list_shows_times_for_people_and_iso_times_in_json(
        fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, rss_bytes(1, title="Local news"))
    cfg = str(config(tmp_path))
    assert cli(["feeds", "add", fault_server.url("/feed"), "-c", cfg]) == 0
    now = SystemClock().now()
    engine = create_db_engine(f"sqlite:///{tmp_path}/m.db")
    with engine.begin() as conn:
        feed = get_feed(conn, name="Local news")
        assert feed is not None
        three_min_ago, in_twelve = now - timedelta(minutes=3), now + timedelta(minutes=12)
        record_poll(conn, feed.id, FeedUpdate(checked_at=three_min_ago, next_check_at=in_twelve, status=200),
                    three_min_ago)
    engine.dispose()
    capsys.readouterr()
    assert cli(["feeds", "list", "-c", cfg]) == 0
    assert "last success 3 min ago, next check in 12 min, errors 0" in capsys.readouterr().out
    assert cli(["feeds", "list", "--json", "-c", cfg]) == 0
    row = json.loads(capsys.readouterr().out)
    assert datetime.fromisoformat(row["last_success"]) == three_min_ago
    assert datetime.fromisoformat(row["next_check"]) == in_twelve


def test_list_errors_shows_a_feed_whose_pages_keep_failing(
        fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = rss([item(n, link=fault_server.url(f"/story/{n}")) for n in (1, 2)]).encode()
    fault_server.routes["/feed"] = lambda r: r.respond(200, document)  # /story/* answer 404
    path = config(tmp_path)
    (tmp_path / "watchlists").mkdir()
    with open(path, "a", encoding="utf-8") as f:
        f.write(f'\n[[feeds]]\nname = "broken-pages"\nurl = "{fault_server.url("/feed")}"\n')
    cfg = str(path)
    assert main(["once", "-c", cfg]) == 0
    assert len(fault_server.requests_to("/story/1")) == 1
    capsys.readouterr()
    assert cli(["feeds", "list", "--errors", "-c", cfg]) == 0
    out = capsys.readouterr().out
    assert "broken-pages  [warning]" in out
    assert f"pages: 0 failed, 2 to retry; last: {fault_server.url('/story/2')}: HTTP 404 Not Found" in out
    assert cli(["feeds", "list", "--errors", "--json", "-c", cfg]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["error_count"], row["pages_failed"], row["pages_retrying"]) == (0, 0, 2)


OPML = b"""<opml version="2.0"><body>
<outline text="One" xmlUrl="https://one.example/rss"/><outline text="Two" xmlUrl="https://two.example/rss"/>
<outline text="Three" xmlUrl="https://three.example/rss"/></body></opml>"""


def run_import(tmp_path: Path, opml: Path, stderr: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "monitor", "feeds", "import", str(opml),
                             "-c", str(config(tmp_path))], stderr=stderr, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_import_draws_progress_on_a_terminal_and_stays_quiet_when_piped(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML)
    controller, terminal = os.openpty()
    process = run_import(tmp_path / "tty", opml, stderr=terminal)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    assert b"] 1/3 feeds imported, One\x1b[K" in seen and b"] 3/3 feeds imported, Three\x1b[K" in seen
    assert b"imported 3 feeds, skipped 0" in seen

    piped = run_import(tmp_path / "pipe", opml, stderr=subprocess.PIPE)
    _, err = piped.communicate(timeout=60)
    assert piped.returncode == 0 and b"imported 3 feeds, skipped 0" in err
    assert b"\r" not in err and b"feeds imported," not in err
