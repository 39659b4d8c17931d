"""The main config file and its watchlist folder -> validated, frozen settings.

Every error names the file, the key and, where it can be found, the line. `${ENV_VAR}` references
are substituted before validation, so secrets live in the environment, not in the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from monitor.alerts.settings import ChannelSettings, DeliverySettings
from monitor.configfile import dotted, locate_key, read_toml, substitute_env
from monitor.content.settings import ContentSettings
from monitor.errors import ConfigError
from monitor.ingest.settings import FeedSpec, PollingSettings
from monitor.jobs.settings import JobSettings
from monitor.net.settings import HttpSettings
from monitor.service.settings import ServiceSettings
from monitor.stories.settings import StorySettings
from monitor.web.settings import WebSettings, with_deprecated_aliases

DEFAULT_CONFIG = Path("config/monitor.toml")


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # SQLite by default; relative paths are taken from the config file's folder.
    url: str = "sqlite:///var/monitor.db"


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


def load_config(path: Path | str = DEFAULT_CONFIG) -> Settings:
    """Read and validate the config at `path`. Raises ConfigError naming file, key and line."""
    path = Path(path)
    raw, text = read_toml(path)
    raw = substitute_env(raw, path, text)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, path, text) from None
    _check_unique_feed_names(settings, path, text)
    base = path.resolve().parent
    database = settings.database
    if os.environ.get("MONITOR_DATABASE_URL"):
        database = DatabaseSettings(url=os.environ["MONITOR_DATABASE_URL"])
    return settings.model_copy(update={
        "database": DatabaseSettings(url=_resolve_sqlite(database.url, base)),
        "watchlists": settings.watchlists.model_copy(
            update={"directory": base / settings.watchlists.directory}),
        "web": _web_from_environment(with_deprecated_aliases(settings.web, settings.service), path),
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


def _first_error(exc: ValidationError, path: Path, text: str) -> ConfigError:
    # A typo'd key also makes the key it meant "missing": report the typo, the root cause, first.
    error = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (a typo?)"
    elif error["type"] == "missing":
        message = "required key is missing"
        loc_for_line: tuple[Any, ...] = loc[:-1]
        return ConfigError(message, file=str(path), key=dotted(loc),
                           line=locate_key(text, loc_for_line) if loc_for_line else None)
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more error{'s' if more > 1 else ''})"
    return ConfigError(message, file=str(path), key=dotted(loc), line=locate_key(text, loc))


# pydantic puts the discriminator value (e.g. "email") into the location of a channel's errors
_CHANNEL_TYPES = frozenset(m.model_fields["type"].default for m in get_args(get_args(ChannelSettings)[0]))


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in _CHANNEL_TYPES


def _check_unique_feed_names(settings: Settings, path: Path, text: str) -> None:
    seen: set[str] = set()
    for index, feed in enumerate(settings.feeds):
        if feed.name in seen:
            raise ConfigError(f"duplicate feed name {feed.name!r}", file=str(path),
                              key=f"feeds[{index}].name", line=locate_key(text, ("feeds", index, "name")))
        seen.add(feed.name)


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(base / url[len(prefix):])
    return url
