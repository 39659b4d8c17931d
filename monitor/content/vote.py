"""Two extractors vote on the main text, line by line (a line is a paragraph).

trafilatura's text is the base; readability's (second_opinion.py) corrects it where they disagree:

- the tail: lines after the last one readability also has are cut. That is where trafilatura runs on
  into "related stories" teasers, comment counts and job ads that readability leaves out;
- gaps: when readability has nearly all of trafilatura's text, its long paragraphs trafilatura lacks are
  put in at their place (trafilatura skips a block now and then; readability keeps whole containers).
  At the end they are added only when there are many of them (an article end trafilatura missed),
  not a teaser or two.

And, with no vote needed, a line that is all link text (the anchors of the page, in page order) is a
menu, a teaser list or a tag cloud, never a paragraph of the article; the page's headline is kept even
when it also links to itself.

Lines are compared by word 4-gram shingles, so spacing, punctuation and a cut-off end do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml.html import HtmlElement

_WORDS = re.compile(r"\w+")
SHINGLE = 4
# A line counts as present in the other text when this share of its shingles is there.
COVERED = 0.5
# readability must share this much of trafilatura's text before its extra paragraphs are trusted.
AGREEMENT = 0.8
# Only paragraphs at least this long are borrowed from readability (shorter ones are captions, teasers).
BORROW_MIN_CHARS = 200
# Paragraphs after trafilatura's end are borrowed only when they add this share of its text or more.
BORROW_TAIL_SHARE = 0.5
LINK_TEXT_SHARE = 0.8

Shingle = tuple[str, ...]


def shingles(text: str) -> list[Shingle]:
    """Word 4-grams of `text`; a text of 1-3 words is one shorter shingle; no words, none."""
    words = _WORDS.findall(text.lower())
    if len(words) <= SHINGLE:
        return [tuple(words)] if words else []
    return [tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def coverage(line: str, known: set[Shingle]) -> float:
    own = shingles(line)
    return sum(s in known for s in own) / len(own) if own else 0.0


def cut_tail(lines: list[str], other: str) -> list[str]:
    """`lines` up to the last one `other` also has (all of them when `other` has none)."""
    known = set(shingles(other))
    last = max((i for i, line in enumerate(lines) if coverage(line, known) >= COVERED), default=None)
    return lines if last is None else lines[:last + 1]


def _best_anchor(line_shingles: set[Shingle], own: Sequence[set[Shingle]]) -> int:
    return max(range(len(own)), key=lambda i: len(line_shingles & own[i]))


def borrow(lines: list[str], other: str) -> list[str]:
    """`lines` with the long paragraphs of `other` they lack, each after the line its predecessor matched."""
    own = [set(shingles(line)) for line in lines]
    mine = set().union(*own) if own else set()
    theirs = set(shingles(other))
    if not mine or len(mine & theirs) < AGREEMENT * len(mine):
        return lines
    inserts: dict[int, list[str]] = {}
    anchor, pending = -1, list[str]()
    for line in other.split("\n"):
        line_shingles = set(shingles(line))
        if not line_shingles:
            continue
        if len(line_shingles & mine) >= COVERED * len(line_shingles):
            inserts.setdefault(anchor, []).extend(pending)
            anchor, pending = max(anchor, _best_anchor(line_shingles, own)), []
        elif len(line) >= BORROW_MIN_CHARS:
            pending.append(line)
    if sum(map(len, pending)) >= BORROW_TAIL_SHARE * sum(map(len, lines)):
        inserts.setdefault(anchor, []).extend(pending)
    merged = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        merged += [line, *inserts.get(index, [])]
    return merged


def reconcile(text: str, other: str) -> str:
    """trafilatura's `text` corrected by readability's `other` (unchanged when `other` is empty)."""
    if not other.strip() or not text.strip():
        return text
    return "\n".join(borrow(cut_tail(text.split("\n"), other), other))


def link_text(tree: HtmlElement) -> str:
    """The text of every link of the page, in page order, one link a line."""
    return "\n".join(anchor.text_content() for anchor in tree.iter("a"))


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def drop_link_lines(text: str, links: str, headlines: Iterable[str]) -> str:
    """`text` without the lines made of link text, except those that are (part of) a headline."""
    if not links.strip():
        return text
    known = set(shingles(links))
    heads = [h for h in (_normal(head) for head in headlines) if h]
    kept = []
    for line in text.split("\n"):
        if coverage(line, known) >= LINK_TEXT_SHARE:
            normal = _normal(line)
            if not normal or not any(normal in head for head in heads):
                continue
        kept.append(line)
    return "\n".join(kept)
