"""The schema of one watchlist file (validated with pydantic at the edge, then compiled)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.alerts.policy import WatchlistDelivery
from monitor.content.language import normalize_lang

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
    def _language_codes(cls, value: list[str]) -> list[str]:
        return [_language_code(v) for v in value]


def _language_code(value: str) -> str:
    """"pt-BR" -> "pt", "eng" -> "en": the code articles are stored with (language, not region)."""
    code = normalize_lang(value)
    if code is None:
        raise ValueError(f"unknown language {value!r} (use an ISO 639-1 code such as 'en', 'ar' or 'pt-BR')")
    return code


FIELDS_NEEDED = ("terms", "query", "weighted", "about")
