"""An article tokenised once, indexed by normalised word with positions, shared by every watchlist.

Title and text are one position space with a gap between them, so a phrase or a NEAR never spans
the two fields. Arabic words are also indexed under their clitic-free stems (see `normalize`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.watch.normalize import Token, arabic_stems, is_arabic, normalize, tokenize

FIELDS = ("title", "text")
_GAP = 1_000  # positions between title and text: larger than any NEAR distance allowed
SNIPPET_CHARS = 80


@dataclass(frozen=True, slots=True)
class Pattern:
    """One word of a term: an exact normalised word or a prefix (`bomb*`)."""

    word: str
    prefix: bool = False


class Document:
    """The token index of one article (title + text)."""

    def __init__(self, title: str, text: str) -> None:
        self.fields = {"title": title, "text": text}
        self.tokens = {name: tokenize(self.fields[name]) for name in FIELDS}
        self._text_start = len(self.tokens["title"]) + _GAP
        self.index: dict[str, list[int]] = {}
        for name, base in (("title", 0), ("text", self._text_start)):
            for i, token in enumerate(self.tokens[name]):
                self.index.setdefault(token.norm, []).append(base + i)
        self._add_arabic_stems()
        self._sorted_words: list[str] | None = None
        self._normalized: dict[str, str] = {}

    def _add_arabic_stems(self) -> None:
        """Index each distinct Arabic word under its clitic-free stems too."""
        grown: set[str] = set()
        for word in [w for w in self.index if is_arabic(w)]:
            for stem in arabic_stems(word):
                self.index.setdefault(stem, []).extend(self.index[word])
                grown.add(stem)
        for stem in grown:
            self.index[stem] = sorted(set(self.index[stem]))

    def positions(self, pattern: Pattern) -> list[int]:
        """Sorted positions where `pattern` occurs."""
        if not pattern.prefix:
            return self.index.get(pattern.word, [])
        if self._sorted_words is None:
            self._sorted_words = sorted(self.index)
        words = self._sorted_words
        found: set[int] = set()
        i = bisect.bisect_left(words, pattern.word)
        while i < len(words) and words[i].startswith(pattern.word):
            found.update(self.index[words[i]])
            i += 1
        return sorted(found)

    def field_at(self, position: int) -> str:
        return "title" if position < self._text_start else "text"

    def _token(self, position: int) -> Token:
        if position < self._text_start:
            return self.tokens["title"][position]
        return self.tokens["text"][position - self._text_start]

    def normalized(self, field: str) -> str:
        """The whole field normalised (what a /regex/ runs on)."""
        if field not in self._normalized:
            self._normalized[field] = normalize(self.fields[field])
        return self._normalized[field]

    def snippet(self, start: int, end: int) -> str:
        """About 80 characters of original text around the tokens at positions start..end."""
        first, last = self._token(start), self._token(end)
        return make_snippet(self.fields[self.field_at(start)], first.start, last.end)


def make_snippet(text: str, start: int, end: int) -> str:
    room = max(0, SNIPPET_CHARS - (end - start)) // 2
    a, b = max(0, start - room), min(len(text), end + room)
    piece = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + piece + ("…" if b < len(text) else "")


def sequence_starts(doc: Document, patterns: Iterable[Pattern], field: str | None) -> list[int]:
    """Start positions where `patterns` occur as consecutive words (in `field` if given)."""
    patterns = list(patterns)
    starts = doc.positions(patterns[0])
    for offset, pattern in enumerate(patterns[1:], start=1):
        if not starts:
            return []
        following = set(doc.positions(pattern))
        starts = [p for p in starts if p + offset in following]
    if field is not None:
        starts = [p for p in starts if doc.field_at(p) == field]
    return starts
