"""The main config file and its watchlist folder -> validated, frozen settings.

Every problem is reported at once, each naming the file, the key and, where it can be found, the
line. `${ENV_VAR}` references are substituted before validation, so secrets live in the
environment, not in the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from monitor.alerts.settings import ChannelSettings, DeliverySettings
from monitor.configfile import EnvReferences, locate_key, read_toml, substitute_env
from monitor.configschema import schema_problems
from monitor.content.settings import ContentSettings
from monitor.errors import ConfigError, StorageError
from monitor.ingest.settings import FeedSpec, PollingSettings
from monitor.jobs.settings import JobSettings
from monitor.net.settings import HttpSettings
from monitor.service.settings import ServiceSettings
from monitor.storage.urls import database_url
from monitor.stories.settings import StorySettings
from monitor.web.settings import WebSettings, with_deprecated_aliases

DEFAULT_CONFIG = Path("config/monitor.toml")


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # SQLite by default, next to the config file (relative paths are taken from its folder, which
    # must exist); postgres:// and postgresql:// URLs go through psycopg.
    url: str = "sqlite:///monitor.db"


class WatchlistsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    directory: Path = Path("watchlists")  # relative to the config file's folder (re-read every cycle)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    database: DatabaseSettings = DatabaseSettings()
    http: HttpSettings = HttpSettings()
    polling: PollingSettings = PollingSettings()
    content: ContentSettings = ContentSettings()
    stories: StorySettings = StorySettings()
    watchlists: WatchlistsSettings = WatchlistsSettings()
    delivery: DeliverySettings = DeliverySettings()
    jobs: JobSettings = JobSettings()
    service: ServiceSettings = ServiceSettings()
    web: WebSettings = WebSettings()
    feeds: list[FeedSpec] = []
    channels: dict[str, ChannelSettings] = {}
    # Set by load_config, not read from the file:
    unresolved_channels: dict[str, tuple[str, ...]] = {}  # channel -> its `${NAME}`s that are not set
    source: Path | None = None  # the file these came from

    @model_validator(mode="before")
    @classmethod
    def _one_lease_length(cls, data: Any) -> Any:
        """`[jobs] lease_seconds` follows `[polling] lease_seconds` unless set: configs written before
        the jobs existed set the lease of feeds and pages there."""
        if isinstance(data, dict):
            polling, jobs = data.get("polling"), data.get("jobs") or {}
            if isinstance(polling, dict) and "lease_seconds" in polling and isinstance(jobs, dict) \
                    and "lease_seconds" not in jobs:
                data = {**data, "jobs": {**jobs, "lease_seconds": polling["lease_seconds"]}}
        return data


def load_config(path: Path | str = DEFAULT_CONFIG, *, channel_secrets: bool = True) -> Settings:
    """Read and validate the config at `path`; a ConfigError lists every problem (file, line, key).

    `channel_secrets=False` is for commands that deliver nothing (`match`, `stories`, `feeds`...): a
    `${NAME}` inside `[channels.*]` whose variable is not set then stays unresolved instead of being
    an error. Such channels are named in `Settings.unresolved_channels`, and `build_app` refuses them.
    """
    path = Path(path)
    raw, text = read_toml(path)
    env = EnvReferences()
    keep_unset = _in_channels if not channel_secrets else _never
    raw = substitute_env(raw, path, text, env, keep_unset)
    problems = list(env.problems)
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, Settings, str(path), text))
    problems.extend(_duplicate_feed_names(raw, path, text))
    url, url_problem = _database_url(raw, path, text)
    if url_problem is not None:
        problems.append(url_problem)
    if problems or settings is None:
        raise ConfigError.of(problems)
    base = path.resolve().parent
    unresolved: dict[str, set[str]] = {}
    for loc, name in env.kept:
        unresolved.setdefault(str(loc[1]), set()).add(name)
    return settings.model_copy(update={
        "database": DatabaseSettings(url=_resolve_sqlite(url or settings.database.url, base)),
        "watchlists": settings.watchlists.model_copy(
            update={"directory": base / settings.watchlists.directory}),
        "web": _web_from_environment(with_deprecated_aliases(settings.web, settings.service), path),
        "unresolved_channels": {k: tuple(sorted(v)) for k, v in sorted(unresolved.items())},
        "source": path,
    })


def _web_from_environment(web: WebSettings, path: Path) -> WebSettings:
    """MONITOR_WEB_HOST (or the older MONITOR_METRICS_HOST) overrides `[web] host`: the container image
    listens beyond its own loopback. MONITOR_WEB_TOKEN gives the token when the file names none."""
    update: dict[str, object] = {}
    host = os.environ.get("MONITOR_WEB_HOST") or os.environ.get("MONITOR_METRICS_HOST")
    if host:
        update["host"] = host
    token = os.environ.get("MONITOR_WEB_TOKEN")
    if token and web.token is None:
        update["token"] = token
    if not update:
        return web
    try:
        return WebSettings.model_validate({**web.model_dump(), **update})
    except ValidationError as exc:
        raise ConfigError(f"{exc.errors()[0]['msg']} (from the environment)", file=str(path),
                          key=f"web.{exc.errors()[0]['loc'][0]}") from None


def _in_channels(loc: tuple[Any, ...]) -> bool:
    return loc[:1] == ("channels",)


def _never(loc: tuple[Any, ...]) -> bool:
    return False


def _database_url(raw: dict[str, Any], path: Path, text: str) -> tuple[str | None, ConfigError | None]:
    """The database URL as SQLAlchemy opens it (MONITOR_DATABASE_URL first), or why it cannot be used."""
    from_env = os.environ.get("MONITOR_DATABASE_URL")
    section = raw.get("database")
    given = from_env or (section.get("url") if isinstance(section, dict) else None)
    if not isinstance(given, str) or "${" in given:
        return None, None  # the default, a type error the schema reports, or a variable that is not set
    try:
        return database_url(given), None
    except StorageError as exc:
        if from_env:
            return None, ConfigError(f"{exc}", key="MONITOR_DATABASE_URL (environment)")
        return None, ConfigError(str(exc), file=str(path), key="database.url",
                                 line=locate_key(text, ("database", "url")))


def _duplicate_feed_names(raw: dict[str, Any], path: Path, text: str) -> list[ConfigError]:
    feeds = raw.get("feeds")
    seen: set[str] = set()
    problems = []
    for index, feed in enumerate(feeds if isinstance(feeds, list) else []):
        name = feed.get("name") if isinstance(feed, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.append(ConfigError(f"duplicate feed name {name!r}", file=str(path),
                                        key=f"feeds[{index}].name",
                                        line=locate_key(text, ("feeds", index, "name"))))
        seen.add(name)
    return problems


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + os.path.normpath(base / url[len(prefix):])  # "config/../var" -> "var"
    return url
