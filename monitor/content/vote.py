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

Lines are compared by word 4-gram shingles, so spacing, punctuation and a cut-off end do not matter;
the shingles of a whole text run across its line ends, so a one-word line ("Africa //") is found in
the other text only when it stands there among the same words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

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
    return list(zip(*(words[i:] for i in range(SHINGLE)), strict=False))


def _covered(line: set[Shingle], known: set[Shingle] | dict[Shingle, int]) -> bool:
    return bool(line) and sum(s in known for s in line) >= COVERED * len(line)


def cut_tail(lines: list[set[Shingle]], other: set[Shingle]) -> int:
    """How many of `lines` to keep: up to the last one `other` also has (all when it has none)."""
    last = max((i for i, line in enumerate(lines) if _covered(line, other)), default=len(lines) - 1)
    return last + 1


def _line_of(lines: list[set[Shingle]]) -> dict[Shingle, int]:
    """Each shingle of `lines` -> the index of the last line holding it."""
    return {shingle: index for index, line in enumerate(lines) for shingle in line}


def borrow(lines: list[str], own: list[set[Shingle]], other: list[str],
           theirs: list[set[Shingle]], other_all: set[Shingle]) -> list[str]:
    """`lines` with the long paragraphs of `other` they lack, each after the line its predecessor matched.

    `other_all` holds the shingles of all of `other`, run across its line ends."""
    line_of, mine = _line_of(own), set(shingles("\n".join(lines)))
    if not mine or len(mine & other_all) < AGREEMENT * len(mine):
        return lines
    inserts: dict[int, list[str]] = {}
    anchor, pending = -1, list[str]()
    for line, line_shingles in zip(other, theirs, strict=True):
        if _covered(line_shingles, mine):
            inserts.setdefault(anchor, []).extend(pending)
            matched = Counter(line_of[s] for s in line_shingles if s in line_of)
            anchor, pending = max(anchor, matched.most_common(1)[0][0]), []
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
    lines, other_lines = text.split("\n"), [line for line in other.split("\n") if line.strip()]
    own = [set(shingles(line)) for line in lines]
    theirs = [set(shingles(line)) for line in other_lines]
    other_all = set(shingles(other))  # blank lines hold no words: the same as over `other_lines`
    keep = cut_tail(own, other_all)
    return "\n".join(borrow(lines[:keep], own[:keep], other_lines, theirs, other_all))


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
        own = shingles(line)
        if own and sum(s in known for s in own) >= LINK_TEXT_SHARE * len(own):
            normal = _normal(line)
            if not normal or not any(normal in head for head in heads):
                continue
        kept.append(line)
    return "\n".join(kept)
