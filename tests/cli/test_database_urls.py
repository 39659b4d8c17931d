"""Database URLs as hosting services hand them out work; others fail in one line; check-config connects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.errors import StorageError
from monitor.storage.urls import database_url
from tests.cli.process import assert_clean_error, monitor


def write_config(folder: Path, url: str) -> Path:
    (folder / "watchlists").mkdir(exist_ok=True)
    path = folder / "monitor.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("given", ["postgres://u:p@db.example:5432/news",
                                   "postgresql://u:p@db.example:5432/news", "Postgres://u:p@db.example:5432/news"])
def test_postgres_urls_go_through_psycopg(given: str) -> None:
    assert database_url(given) == "postgresql+psycopg://u:p@db.example:5432/news"


@pytest.mark.parametrize(("given", "named"), [
    ("mysql://u:p@h/db", "'mysql'"), ("oracle+cx://h/db", "'oracle'"), ("not a url", "not a database URL")])
def test_other_schemes_are_refused_in_one_line_without_the_password(given: str, named: str) -> None:
    with pytest.raises(StorageError) as caught:
        database_url(given)
    assert named in str(caught.value) and "\n" not in str(caught.value) and ":p@" not in str(caught.value)


def test_mysql_url_is_a_one_line_error_naming_file_line_and_key(tmp_path: Path) -> None:
    config = write_config(tmp_path, "mysql://u:secret@127.0.0.1/news")
    for command in (["check-config"], ["feeds", "list"], ["stories", "list"]):
        result = monitor(*command, "-c", str(config))
        assert_clean_error(result, f"{config}:2: key 'database.url'", "unsupported database 'mysql'")
        assert len(result.stderr.strip().splitlines()) == 1 and "secret" not in result.stderr


def test_mysql_url_from_the_environment_is_named_as_such(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sqlite:///monitor.db")
    result = monitor("feeds", "list", "-c", str(config), env={"MONITOR_DATABASE_URL": "mysql://h/db"})
    assert_clean_error(result, "MONITOR_DATABASE_URL", "unsupported database 'mysql'")


def test_sqlite_file_in_a_missing_folder_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sqlite:///stat/monitor.db")  # a typo for state/
    for command in (["feeds", "list"], ["once"], ["alerts", "list"]):
        result = monitor(*command, "-c", str(config))
        assert_clean_error(result, f"{tmp_path / 'stat' / 'monitor.db'}", "does not exist")
    assert not (tmp_path / "stat").exists()
    checked = monitor("check-config", "-c", str(config))
    assert "Traceback" not in checked.stderr
    assert checked.returncode == 1 and "folder" in checked.stdout and "does not exist" in checked.stdout


def test_check_config_connects_and_says_so_without_creating_anything(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sqlite:///monitor.db")
    fresh = monitor("check-config", "-c", str(config))
    assert fresh.returncode == 0, fresh.stderr
    assert f"new: the first run creates {tmp_path / 'monitor.db'}" in fresh.stdout
    assert not (tmp_path / "monitor.db").exists()
    assert monitor("feeds", "list", "-c", str(config)).returncode == 0  # creates and migrates it
    again = json.loads(monitor("check-config", "-c", str(config), "--json").stdout)
    assert again["database_check"] == "connected; schema up to date" and again["errors"] == []


@pytest.mark.postgres
def test_postgres_scheme_of_hosting_services_works_end_to_end(tmp_path: Path, postgres_url: str) -> None:
    hosted = "postgres://" + postgres_url.split("://", 1)[1]
    config = write_config(tmp_path, hosted)
    checked = monitor("check-config", "-c", str(config))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "postgresql+psycopg://" in checked.stdout and "connected; empty" in checked.stdout
    assert monitor("feeds", "list", "-c", str(config)).returncode == 0
    assert "connected; schema up to date" in monitor("check-config", "-c", str(config)).stdout
    plain = write_config(tmp_path, "postgresql://" + postgres_url.split("://", 1)[1])
    assert monitor("feeds", "list", "-c", str(plain)).returncode == 0


@pytest.mark.postgres
def test_unreachable_postgres_is_reported_by_check_config(tmp_path: Path, postgres_url: str) -> None:
    rest = postgres_url.split("://", 1)[1].split("@", 1)[1]
    config = write_config(tmp_path, f"postgres://monitor:wrong-password@{rest}")
    checked = monitor("check-config", "-c", str(config))
    assert checked.returncode == 1 and "cannot connect" in checked.stdout
    assert "wrong-password" not in checked.stdout + checked.stderr
