"""The command line is a public interface: pin the commands scripts rely on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from monitor.cli import build_parser, main

COMMANDS = {"run", "once", "demo", "check-config", "extract", "similarity", "cluster", "match",
            "watchlists", "alerts", "test-alert", "feeds", "stories", "backfill", "web"}


def test_every_documented_command_is_registered() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= COMMANDS  # type: ignore[union-attr]


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: monitor" in capsys.readouterr().err


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "monitor", "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout.startswith("monitor ")


def test_config_error_is_reported_with_location(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('[databse]\nurl = "sqlite:///x.db"\n', encoding="utf-8")
    assert main(["check-config", "-c", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1" in err and "databse" in err and "unknown key" in err
