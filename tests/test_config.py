"""Config validation: every error names the file, the key and the line; secrets come from the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
[database]
url = "sqlite:///state/monitor.db"

[[feeds]]
name = "one"
url = "https://example.org/feed.xml"

[[feeds]]
name = "two"
url = "https://example.org/other.xml"
interval = "10m"

[channels.mail]
type = "email"
host = "127.0.0.1"
from_addr = "a@example.org"
to = ["b@example.org"]
password = "${TEST_SMTP_PASSWORD}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_resolves_paths_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-value")
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    settings = load_config(write(tmp_path, GOOD))
    assert settings.database.url == f"sqlite:///{tmp_path}/state/monitor.db"
    assert settings.watchlists.directory == tmp_path / "watchlists"
    assert [f.name for f in settings.feeds] == ["one", "two"]
    assert settings.feeds[1].interval_seconds == 600
    channel = settings.channels["mail"]
    assert channel.password.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings)


def test_typo_in_key_names_file_key_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    path = write(tmp_path, GOOD.replace('name = "two"\nurl', 'name = "two"\nurll'))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == "feeds[1].urll"
    assert error.line == 10
    assert "unknown key" in str(error) and f"{path}:10" in str(error)


def test_typo_in_section_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    path = write(tmp_path, GOOD + "\n[polling]\ndefault_intervall_seconds = 60\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "polling.default_intervall_seconds"
    assert caught.value.line == GOOD.count("\n") + 3


def test_missing_env_var_is_named_without_leaking_others(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD))
    assert "TEST_SMTP_PASSWORD is not set" in str(caught.value)
    assert caught.value.key == "channels.mail.password"
    assert caught.value.line == 18


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[database]\nurl = \n"))
    assert caught.value.line == 2


def test_toml_cut_off_at_the_end_names_the_last_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[database]\nurl = [\n'))
    assert caught.value.line == 2 and "invalid TOML" in str(caught.value)


def test_duplicate_feed_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD.replace('name = "two"', 'name = "one"')))
    assert "duplicate feed name" in str(caught.value) and caught.value.line == 9


def test_bad_value_names_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD.replace('type = "email"', 'type = "pigeon"')))
    assert caught.value.key is not None and caught.value.key.startswith("channels.mail")


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    monkeypatch.setenv("MONITOR_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/db")
    assert load_config(write(tmp_path, GOOD)).database.url == "postgresql+psycopg://u:p@127.0.0.1/db"


def test_shipped_example_config_is_valid_as_copied_without_any_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMTP_PASSWORD", "CHAT_APPRISE_URL", "WEBHOOK_SECRET", "MONITOR_WEB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_config(ROOT / "config" / "monitor.example.toml")  # the first command after the demo
    assert len(settings.feeds) >= 3 and set(settings.channels) == {"newsroom-email"}


def test_the_jobs_lease_follows_the_polling_lease_unless_it_is_set(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[polling]\nlease_seconds = 6\n", encoding="utf-8")
    assert load_config(path).jobs.lease_seconds == 6  # a dead replica's pages free up as its feeds do
    path.write_text("[polling]\nlease_seconds = 6\n\n[jobs]\nlease_seconds = 40\n", encoding="utf-8")
    assert load_config(path).jobs.lease_seconds == 40


def test_every_problem_is_reported_at_once_with_file_line_and_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    broken = (GOOD.replace('[database]', '[databse]')
              .replace('name = "two"\nurl', 'name = "one"\nurll')
              .replace('interval = "10m"', 'interval = "10m"\ntags = "en"'))
    path = write(tmp_path, broken)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    found = {(p.line, p.key, p.message) for p in error.problems}
    assert found == {
        (1, "databse", "unknown key (a typo?); did you mean 'database'?"),
        (9, "feeds[1].name", "duplicate feed name 'one'"),
        (10, "feeds[1].urll", "unknown key (a typo?); did you mean 'url'?"),
        (12, "feeds[1].tags", 'tags must be a list of strings, like tags = ["en"]'),
        (19, "channels.mail.password", "environment variable TEST_SMTP_PASSWORD is not set"),
    }
    text = str(error)
    assert "more error" not in text and text.startswith(f"{path}: 5 problems:")
    assert all(f"{path}:{line}: key '{key}'" in text for line, key, _ in found)


def test_type_errors_in_our_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "x")
    broken = (GOOD.replace('url = "https://example.org/feed.xml"', 'url = "https://example.org/feed.xml"\n'
                           'tags = ["en", 3]')
              .replace('type = "email"', 'type = "email"\nsecurity = "startls"\nport = "smtp"')
              + '\n[service]\njson_logs = "yes please"\n\n[channels.chat]\ntype = "apprise"\n'
              + 'urls = "json://x"\n\n[channels.other]\ntype = "emial"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, broken))
    messages = {p.key: p.message for p in caught.value.problems}
    assert messages == {
        "feeds[0].tags[1]": 'tags must be a list of strings, like tags = ["en"]',
        "channels.mail.security": 'security must be one of "starttls", "tls", "none", like '
                                  'security = "starttls"; did you mean \'starttls\'?',
        "channels.mail.port": "port must be a whole number",
        "service.json_logs": "json_logs must be true or false, like json_logs = false",
        "channels.chat.urls": "urls must be a list of strings",
        "channels.other": "type must be one of 'email', 'apprise', 'webhook', not 'emial'; "
                          "did you mean 'email'?",
    }


def test_commands_that_deliver_nothing_load_without_channel_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    path = write(tmp_path, GOOD)
    settings = load_config(path, channel_secrets=False)
    assert settings.unresolved_channels == {"mail": ("TEST_SMTP_PASSWORD",)}
    assert set(settings.channels) == {"mail"}  # watchlists naming it still load
    (tmp_path / "other").mkdir()
    unset_url = GOOD.replace('"sqlite:///state/monitor.db"', '"${TEST_DB_URL_UNSET}"')
    outside = write(tmp_path / "other", unset_url)
    monkeypatch.delenv("TEST_DB_URL_UNSET", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(outside, channel_secrets=False)
    assert [p.key for p in caught.value.problems] == ["database.url"]
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-value")
    assert load_config(path, channel_secrets=False).unresolved_channels == {}


def test_a_channel_with_unresolved_secrets_is_never_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.app import open_database
    from monitor.clock import SystemClock

    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    (tmp_path / "state").mkdir()
    settings = load_config(write(tmp_path, GOOD), channel_secrets=False)
    with pytest.raises(ConfigError) as caught:  # `once` and the daemon open the database here
        open_database(settings, SystemClock())
    assert "TEST_SMTP_PASSWORD" in str(caught.value) and "mail" in str(caught.value)
    assert not (tmp_path / "state" / "monitor.db").exists()
