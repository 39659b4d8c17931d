"""Where a new article goes, decided story by story rather than through one bridging member.

Each candidate story is judged by the margins (in logits, over the threshold of each pair's
languages) of the article against the story's closest members: the best one, and the story as a
whole (the mean over its two best members). A story of several members has to agree as a whole,
so one member that happens to resemble the article cannot pull a different event of the same topic
in, and a story does not drift away from its first members as it grows. Another story that the
article fits as a whole as well is merged into the one it joins (the article shows they are one
event), unless either has alerted: an alerted story never absorbs another event, and an article
that fits it only weakly starts a new story, whose alert then goes out on its own. A dormant story
(no article for longer than the window) is reopened only by a strong fit too, a follow-up of the
event days later rather than a new event of the same topic, and the article that reopens it merges
only the stories it fits strongly as well. Two stories whose titles name different countries are
not merged by an article that fits both: it is about neither country, or both, and shows no more
than that the two events share a topic.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass


@dataclass(frozen=True)
class Fit:
    story_id: int
    score: float  # similarity to the best member
    margin: float  # of the best member over its pair's threshold (logits)
    whole: float  # mean margin over the story's two best members (= margin for a one-member story)
    member: int  # article id of the best member
    strong: bool  # the best member also clears the bar an alerted story sets
    dormant: bool = False  # no article for longer than the window: only a strong fit reopens it
    countries: frozenset[str] = frozenset()  # named in the story's titles (places.py)


@dataclass(frozen=True)
class Placement:
    story_id: int | None  # None: a new story
    score: float
    member: int | None  # the member behind a "similar" decision
    merges: tuple[int, ...] = ()


def place(fits: list[Fit], alerted: Set[int]) -> Placement:
    """The story an article joins (or none), and the stories it shows to be the same event."""
    ranked = sorted((f for f in fits if f.strong or not f.dormant), key=lambda f: -f.whole)
    if not ranked or ranked[0].whole < 0:
        best = max(fits, key=lambda f: f.score, default=None)
        return Placement(None, best.score if best else 0.0, None)
    chosen = ranked[0]
    if chosen.story_id in alerted and not chosen.strong:
        return Placement(None, chosen.score, None)
    merges = () if chosen.story_id in alerted else tuple(
        f.story_id for f in ranked[1:]
        if f.whole >= 0 and f.story_id not in alerted and (f.strong or not chosen.dormant)
        and not _other_countries(f, chosen))
    return Placement(chosen.story_id, chosen.score, chosen.member, merges)


def _other_countries(a: Fit, b: Fit) -> bool:
    return bool(a.countries and b.countries and not a.countries & b.countries)
