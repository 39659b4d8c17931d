"""Long commands draw a progress line on a terminal and print none into a pipe or a file."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from monitor.cli.common import Progress
from tests.cli.process import ROOT, monitor


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_in_place_on_a_terminal_and_nothing_elsewhere() -> None:
    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        with Progress("articles", 4, stream=stream, interval=0) as progress:
            for n in range(4):
                progress.advance(1, f"{n} matches")
    assert pipe.getvalue() == ""
    drawn = screen.getvalue()
    assert drawn.startswith("\r[#######") and drawn.endswith("\r\x1b[K")  # erased for the summary
    assert "\r[##############################] 4/4 articles, 3 matches\x1b[K" in drawn
    unknown = Terminal()
    Progress("articles", stream=unknown, interval=0).advance(7)
    assert unknown.getvalue() == "\r7 articles\x1b[K"
    throttled = Terminal()
    with Progress("articles", 100, stream=throttled, interval=3600) as progress:
        for _ in range(100):
            progress.advance()
    assert throttled.getvalue().count("\r[") == 2  # the first and the last state


def on_a_terminal(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout piped); returns (exit code, stdout, terminal text)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "monitor", *args], stdout=subprocess.PIPE,
                               stderr=terminal, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=240)
    os.close(controller)
    return code, out, seen.decode("utf-8", "replace")


def write_articles(path: Path, count: int) -> Path:
    rows = [{"id": n, "title": f"Battle for Baghouz, day {n}", "text": "SDF"} for n in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_match_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "baghouz.toml").write_text('terms = ["Baghouz"]\n', encoding="utf-8")
    articles = write_articles(tmp_path / "articles.jsonl", 30)
    code, out, screen = on_a_terminal("match", "--watchlists", str(tmp_path / "lists"), str(articles))
    assert code == 0 and len(out.splitlines()) == 30
    assert "\r[" in screen and "30/30 articles, 30 matches" in screen
    piped = monitor("match", "--watchlists", str(tmp_path / "lists"), str(articles))
    assert piped.returncode == 0 and "\r" not in piped.stderr and "[#" not in piped.stderr
    assert "30 matches" in piped.stderr  # the summary line, terminal or not


def test_similarity_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [{"id1": n, "id2": n + 100, "title1": f"Baghouz battle {n}", "text1": "SDF",
             "title2": f"معركة الباغوز {n}", "text2": "قسد"} for n in range(5)]
    pairs.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    code, out, screen = on_a_terminal("similarity", str(pairs))
    assert code == 0 and len(out.splitlines()) == 5
    assert "20/20 texts embedded" in screen
    piped = monitor("similarity", str(pairs))
    assert piped.returncode == 0 and "texts embedded" not in piped.stderr


def test_backfill_shows_progress_on_a_terminal_only(demo: Path) -> None:
    config = str(demo / "monitor.toml")
    code, out, screen = on_a_terminal("backfill", "--since", "30d", "-c", config)
    assert code == 0, screen
    assert json.loads(out)["stories"] == 6
    assert "\r[" in screen and "6/6 stories, 0 alerts planned" in screen
    piped = monitor("backfill", "--since", "30d", "-c", config)
    assert piped.returncode == 0 and "\r" not in piped.stderr and "[#" not in piped.stderr
    assert "matched 6 stories, 0 alerts planned" in piped.stderr


def test_cluster_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    articles = write_articles(tmp_path / "articles.jsonl", 6)
    code, out, screen = on_a_terminal("cluster", "--batch-size", "2", str(articles))
    assert code == 0 and len(out.splitlines()) == 6
    assert "\r[" in screen and "6/6 articles" in screen
