from pathlib import Path

import pytest

from monitor.stories.embedders import load_embedder
from monitor.stories.settings import StorySettings


def shared_dir() -> Path | None:
    """The read-only shared data, found by walking up from this file (worktrees sit beside it)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "eval").is_dir():
            return parent / "shared"
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("shared/eval not found above this checkout (the seeds and dev pairs live there)")
    return found


@pytest.fixture(scope="session")
def e5():
    return load_embedder(StorySettings(embedder="e5-small", threads=2))
