"""The schema of one watchlist file (validated with pydantic at the edge, then compiled)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.alerts.policy import WatchlistDelivery

# Standard deviations above the description's similarity to generic news (see monitor/watch/about.py).
DEFAULT_ABOUT_THRESHOLD = 3.5


class WeightedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    term: str = Field(min_length=1)
    weight: float = 1.0


class WatchlistSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    channels: list[str] = []
    terms: list[str] = []
    query: str | None = None
    about: list[str] = []
    about_threshold: float = Field(default=DEFAULT_ABOUT_THRESHOLD, gt=0, le=50)
    threshold: float = Field(default=1.0, gt=0)
    weighted: list[WeightedSpec] = []
    exclude: list[str] = []
    languages: list[str] = []
    sources: list[str] = []
    min_sources: int = Field(default=1, ge=1)
    min_languages: int = Field(default=1, ge=1)
    delivery: WatchlistDelivery = WatchlistDelivery()

    @field_validator("about", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("languages")
    @classmethod
    def _primary_subtags(cls, value: list[str]) -> list[str]:
        return [primary_language(v) for v in value]


def primary_language(code: str) -> str:
    """"pt-BR" -> "pt": watchlists filter on the language, not the region."""
    return code.replace("_", "-").split("-")[0].lower()


FIELDS_NEEDED = ("terms", "query", "weighted", "about")
