"""How a watchlist's alerts arrive: the `[delivery]` table of a watchlist file.

Validated by the watchlist loader at load time, applied by the alert planner and delivery job.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: str = Field(pattern=r"^\d{2}:\d{2}$")  # "22:00", in the watchlist's time zone
    end: str = Field(pattern=r"^\d{2}:\d{2}$")  # "07:00"
    fold_into_digest: bool = False  # else held back and sent when they end

    @field_validator("start", "end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, minutes = (int(part) for part in value.split(":"))
        if hours > 23 or minutes > 59:
            raise ValueError(f"{value!r} is not a time of day (00:00 to 23:59)")
        return value


class StoryUpdates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    new_languages: bool = False  # alert again when the story reaches a new language
    more_sources: int | None = Field(default=None, ge=1)  # ... or this many more outlets


class WatchlistDelivery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal["instant", "digest"] = "instant"
    digest_cron: str = "0 8 * * *"  # when mode = "digest"
    timezone: str = "UTC"
    quiet_hours: QuietHours | None = None
    rate_limit_per_hour: int | None = Field(default=None, ge=1)  # beyond it, fold into a digest
    updates: StoryUpdates = StoryUpdates()

    # Checked here, at load time: a bad value found only at delivery time would stall the channel.
    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Berlin')") from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (minute hour day month weekday)")
        return value


DEFAULT_POLICY = WatchlistDelivery()  # for a watchlist without a [delivery] table
