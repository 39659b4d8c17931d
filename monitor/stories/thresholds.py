"""Which similarity makes "the same event" for a pair of articles: one threshold per language pair.

The combiner scores every pair on one scale, but annotators and writers differ by language (Turkish
pairs want a higher bar than Spanish ones) and a pair in two languages sits lower than one in one
language. Thresholds are fitted for the stream objective (scripts/fit_stream.py) where the dev pairs
hold enough of a language; every other pair (a language with few pairs, two scripts, no language)
keeps the shipped default, which the seed story across Hindi, Arabic and English relies on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.stories.features import Signals


@dataclass(frozen=True)
class Thresholds:
    default: float
    languages: Mapping[str, float] = field(default_factory=dict)  # same-language pairs
    cross_language: float | None = None  # two languages in one script (de-en); None = the default
    alerted: float = 1.0  # what an alerted story demands of a new member (a weaker fit starts a story)

    @classmethod
    def uniform(cls, threshold: float, alerted: float | None = None) -> Thresholds:
        """One threshold for every pair (a user's override)."""
        return cls(threshold, alerted=max(threshold, alerted if alerted is not None else threshold))

    @classmethod
    def from_entry(cls, default: float, entry: Mapping[str, Any] | None) -> Thresholds:
        """From the "thresholds" block of a coefficients entry (absent: the default everywhere)."""
        if not entry:
            return cls.uniform(default)
        cross = entry.get("cross_language")
        return cls(default, {str(k): float(v) for k, v in entry.get("languages", {}).items()},
                   float(cross) if cross is not None else None, float(entry.get("alerted", default)))

    def for_pair(self, a: Signals, b: Signals) -> float:
        if a.language and b.language and a.language != b.language:
            same_script = a.script == b.script
            return self.cross_language if same_script and self.cross_language is not None else self.default
        language = a.language or b.language
        return self.languages.get(language, self.default) if language else self.default


def margin(score: float, threshold: float) -> float:
    """How far a similarity clears a threshold, in logits: comparable across thresholds."""
    return _logit(score) - _logit(threshold)


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1.0 - 1e-9)
    return math.log(p / (1.0 - p))
