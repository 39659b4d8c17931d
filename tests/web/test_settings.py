"""`[web]` in the config: defaults, the deprecated `[service] metrics_*` aliases, token and time zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_loopback_9464_without_a_token(tmp_path: Path) -> None:
    web = load_config(_config(tmp_path, "")).web
    assert (web.enabled, web.host, web.port) == (True, "127.0.0.1", 9464)
    assert (web.token, web.timezone) == (None, "UTC")


def test_service_metrics_port_and_host_still_place_the_server(tmp_path: Path) -> None:
    web = load_config(_config(tmp_path, '[service]\nmetrics_host = "::1"\nmetrics_port = 0\n')).web
    assert (web.host, web.port) == ("::1", 0)
    both = load_config(_config(tmp_path, "[service]\nmetrics_port = 9000\n[web]\nport = 8080\n")).web
    assert both.port == 8080  # [web] wins over the old name


def test_the_token_comes_from_the_environment_and_must_be_long(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = _config(tmp_path, '[web]\ntoken = "${MONITOR_WEB_TOKEN}"\ntimezone = "Europe/Paris"\n')
    monkeypatch.setenv("MONITOR_WEB_TOKEN", "a" * 24)
    web = load_config(path).web
    assert web.token_value == "a" * 24 and "a" * 24 not in repr(web)
    monkeypatch.setenv("MONITOR_WEB_TOKEN", "short")
    with pytest.raises(ConfigError, match=r"monitor\.toml:2: key 'web\.token': .*at least 16 characters"):
        load_config(path)


def test_an_unknown_time_zone_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"key 'web\.timezone': .*unknown time zone 'Mars/Olympus'"):
        load_config(_config(tmp_path, '[web]\ntimezone = "Mars/Olympus"\n'))
