"""Values the story engine exchanges with the lead's pipeline and storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Literal

from monitor.stories import fingerprint

Reason = Literal["text-duplicate", "near-duplicate", "similar", "new"]


@dataclass(frozen=True)
class ArticleInput:
    title: str
    text: str
    language: str | None
    published: datetime | None  # aware; None when the page gave no date
    canonical_url: str = ""
    stored_keys: tuple[str, int | None] | None = None  # what the content stage computed and stored

    @cached_property
    def keys(self) -> tuple[str, int | None]:
        """(text hash, SimHash): the stored ones, else computed once, though the batch check and the
        assignment both ask."""
        return self.stored_keys or fingerprint.keys(self.title, self.text)


@dataclass(frozen=True)
class Assignment:
    story_id: int | None  # None: start a new story
    score: float
    reason: Reason
    vector: bytes | None  # float32, as the embedder returned it; None for duplicates (no model run)
    vector_model: str | None
    text_hash: str
    simhash: int | None  # signed 64-bit
    # Other stories in the window this article also fits as wholes: it shows them to be one event,
    # and the lead may merge them into `story_id` (then call StoryEngine.merge so the window follows).
    # Never an alerted story, nor any when `story_id` has alerted.
    also: tuple[int, ...] = ()
    # Behind a "similar" decision: the names (and numbers) the article shares with the member it
    # fits best, as the article writes them, rarest first; empty for other reasons.
    shared: tuple[str, ...] = ()
