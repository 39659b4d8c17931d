"""Why an article is in its story, in words: the same sentence in `monitor stories show`, `monitor
cluster` and the web console."""

from __future__ import annotations

from collections.abc import Sequence

_WORDS = {
    "new": "started the story",
    "url": "duplicate: the same address as an earlier article",  # rows of releases before the jobs
    "text": "duplicate: the same text as an earlier article",
    "text-duplicate": "duplicate: the same text as an earlier article",
    "near-duplicate": "near-duplicate of an earlier article (a wire copy)",
    "similar": "similar to the story",
}
DUPLICATES = frozenset({"url", "text", "text-duplicate", "near-duplicate"})


def placement_words(reason: str | None, score: float | None, shared: Sequence[str] = ()) -> str:
    """E.g. "similar to the story, score 0.62; shares Baghouz, SDF"."""
    text = _WORDS.get(reason or "", reason or "not recorded")
    if reason == "similar" and score is not None:
        text += f", score {score:.2f}"
    if shared:
        text += "; shares " + ", ".join(shared)
    return text
