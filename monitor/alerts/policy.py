"""How a watchlist's alerts arrive: the `[delivery]` table of a watchlist file.

Validated by the watchlist loader at load time, applied by the alert planner and delivery job.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: str = Field(pattern=r"^\d{2}:\d{2}$")  # "22:00", in the watchlist's time zone
    end: str = Field(pattern=r"^\d{2}:\d{2}$")  # "07:00"
    fold_into_digest: bool = False  # else held back and sent when they end


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
