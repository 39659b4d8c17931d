"""Polling settings and the feed list as the config gives it."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

# No feed is polled more often than once a minute (ingest.schedule's floor). A smaller setting used
# to be accepted and then silently rounded up; now it is refused with this reason.
MIN_POLL_SECONDS = 60

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | int | float) -> int:
    """'90s', '15m', '2h', '1d' or plain seconds -> seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. '90s', '15m', '2h', '1d')")
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return int(seconds)


def at_least_a_minute(seconds: int, what: str) -> int:
    if seconds < MIN_POLL_SECONDS:
        raise PydanticCustomError(
            "below_poll_floor",
            "{what} is {seconds} s, below the floor of {floor} s: feeds are never polled more than "
            "once a minute; use {floor} or more",
            {"what": what, "seconds": seconds, "floor": MIN_POLL_SECONDS})
    return seconds


class PollingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_interval_seconds: int = Field(default=15 * 60, gt=0)
    min_interval_seconds: int = Field(default=5 * 60, gt=0)
    max_interval_seconds: int = Field(default=6 * 3600, gt=0)
    backoff_cap_seconds: int = Field(default=6 * 3600, gt=0)
    jitter_fraction: float = Field(default=0.1, ge=0, lt=1)
    adaptive: bool = True
    max_entries_per_feed: int = Field(default=500, gt=0)
    feed_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    concurrency: int = Field(default=50, gt=0)  # feeds polled at once in one cycle
    lease_seconds: int = Field(default=300, gt=0)  # a crashed poller's feeds free up after this
    batch_size: int = Field(default=1000, gt=0)  # feeds claimed per cycle
    # Consecutive failed polls after which a feed is switched off with its last error as the reason
    # (`monitor feeds enable NAME` turns it back on); 0 keeps retrying with back-off for ever. With the
    # back-off capped at 6 hours, 100 failures in a row take about three weeks.
    max_errors: int = Field(default=100, ge=0)

    @field_validator("min_interval_seconds")
    @classmethod
    def _above_floor(cls, value: int) -> int:
        return at_least_a_minute(value, "min_interval_seconds")

    @model_validator(mode="after")
    def _bounds(self) -> PollingSettings:
        if not self.min_interval_seconds <= self.default_interval_seconds <= self.max_interval_seconds:
            raise ValueError("need min_interval_seconds <= default_interval_seconds <= max_interval_seconds")
        return self


class FeedSpec(BaseModel):
    """One `[[feeds]]` table of the config: name, url, tags, interval ("15m") override."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    url: str
    tags: tuple[str, ...] = Field(default=(), examples=[["en"]])
    interval_seconds: int | None = Field(default=None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _interval(cls, data: Any) -> Any:
        if isinstance(data, dict) and "interval" in data:
            data = dict(data)
            written = data.pop("interval")
            data["interval_seconds"] = at_least_a_minute(parse_duration(written), f"interval = {written!r}")
        return data

    @field_validator("interval_seconds")
    @classmethod
    def _above_floor(cls, value: int | None) -> int | None:
        return None if value is None else at_least_a_minute(value, "interval_seconds")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
            raise ValueError(f"feed URL must be http(s)://..., got {value!r}")
        return value
