"""A mistake a user can make gets a message, never a traceback: a reader that stops (`| head`), a
missing file or folder, a config that is not there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.process import ROOT, assert_clean_error, monitor


def with_closed_stdout(*args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout on a pipe whose reader is already gone, as `monitor ... | head -0` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "monitor", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              timeout=240, check=False)
    finally:
        os.close(write_end)


def test_a_reader_that_went_away_ends_commands_quietly(demo: Path) -> None:
    config = str(demo / "monitor.toml")
    commands = (["stories", "export", "--text", "-c", config], ["stories", "list", "--json", "-c", config],
                ["stories", "show", "1", "-c", config], ["feeds", "export", "-c", config],
                ["watchlists", "parse", "a OR b"], ["check-config", "--json", "-c", config], ["--help"])
    for command in commands:
        result = with_closed_stdout(*command)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert "BrokenPipe" not in result.stderr, (command, result.stderr)
        assert result.returncode == (0 if command == ["--help"] else 1), (command, result.stderr)


@pytest.mark.parametrize("command", [
    ["similarity", "{missing}"], ["cluster", "{missing}"], ["match", "--watchlists", "{folder}", "{missing}"],
    ["feeds", "import", "-c", "{config}", "{missing}"], ["feeds", "export", "-c", "{config}", "-o",
                                                         "{missing_folder}/feeds.opml"],
    ["check-config", "-c", "{missing}"], ["once", "-c", "{missing}"], ["stories", "list", "-c", "{missing}"],
    ["extract", "-c", "{missing}", "page.html"], ["cluster", "-c", "{missing}", "-"],
])
def test_a_missing_file_is_named_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "lists").mkdir()
    config = tmp_path / "monitor.toml"
    config.write_text('[database]\nurl = "sqlite:///monitor.db"\n', encoding="utf-8")
    names = {"missing": str(tmp_path / "nothing-here.jsonl"), "folder": str(tmp_path / "lists"),
             "config": str(config), "missing_folder": str(tmp_path / "no-such-folder")}
    result = monitor(*[part.format(**names) for part in command], stdin="")
    named = names["missing_folder"] if "missing_folder" in " ".join(command) else names["missing"]
    assert_clean_error(result, named)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_extract_names_a_missing_page_in_its_json_line(tmp_path: Path) -> None:
    result = monitor("extract", str(tmp_path / "gone.html"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot read {tmp_path / 'gone.html'}: No such file or directory" in result.stdout


def test_reading_commands_on_a_database_never_created_say_so(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[database]\nurl = "sqlite:///monitor.db"\n', encoding="utf-8")
    for command in (["stories", "list"], ["stories", "export"], ["stories", "show", "1"]):
        result = monitor(*command, "-c", str(config))
        assert_clean_error(result, f"no database at {tmp_path / 'monitor.db'} yet", "monitor once")
    assert not (tmp_path / "monitor.db").exists()
