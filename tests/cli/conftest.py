"""A database filled by a real run: `monitor demo --keep` (its sample site, stories, matches, alerts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.process import monitor


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "kept"
    result = monitor("demo", "--keep", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def demo(demo_copy: Path, tmp_path: Path) -> Path:
    """The folder of a kept demo (monitor.toml, demo.db, watchlists/), copied for one test."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_copy, folder)
    return folder
