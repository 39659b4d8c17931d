"""Intervals under a minute are refused when the config is read, not silently rounded up later."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.ingest.schedule import MIN_DELAY_SECONDS
from monitor.ingest.settings import MIN_POLL_SECONDS, FeedSpec, PollingSettings


def load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    load_config(path)


def test_min_interval_below_a_minute_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "[polling]\nmin_interval_seconds = 30\ndefault_interval_seconds = 60\n")
    message = str(info.value)
    assert str(tmp_path / "monitor.toml") in message and "polling.min_interval_seconds" in message
    assert "30 s, below the floor of 60 s" in message and "use 60 or more" in message


def test_a_feed_interval_below_a_minute_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"interval = '20s' is 20 s, below the floor of 60 s"):
        load(tmp_path, '[[feeds]]\nname = "fast"\nurl = "https://example.org/rss"\ninterval = "20s"\n')


def test_the_floor_is_the_schedulers_and_a_minute_is_accepted() -> None:
    assert MIN_POLL_SECONDS == MIN_DELAY_SECONDS == 60
    assert PollingSettings(min_interval_seconds=60).min_interval_seconds == 60
    assert FeedSpec(name="f", url="https://example.org/rss", interval_seconds=60).interval_seconds == 60
