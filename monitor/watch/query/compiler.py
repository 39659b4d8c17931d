"""Compile a query tree once into matchers; a matcher returns the hits that explain a match.

`Matcher.match(doc)` returns None when the query does not hold for the document, else the list of
hits (possibly empty, e.g. for a satisfied NOT) that made it hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from monitor.models import Hit
from monitor.watch.document import FIELDS, Document, make_snippet, sequence_starts
from monitor.watch.query.ast import And, Near, Node, Or, Regex, Seq
from monitor.watch.query.parser import parse_query

Span = tuple[int, int]  # first and last word position


class Matcher(Protocol):
    def test(self, doc: Document) -> bool:
        """Whether the query holds (fast: no explanations built)."""
        ...

    def match(self, doc: Document) -> list[Hit] | None: ...


@dataclass(frozen=True)
class SeqMatcher:
    seq: Seq
    word: str | None = field(init=False)  # set for a plain word in any field: a dict lookup decides

    def __post_init__(self) -> None:
        patterns = self.seq.patterns
        plain = len(patterns) == 1 and not patterns[0].prefix and self.seq.field is None
        object.__setattr__(self, "word", patterns[0].word if plain else None)

    def test(self, doc: Document) -> bool:
        if self.word is not None:
            return self.word in doc.index
        return bool(sequence_starts(doc, self.seq.patterns, self.seq.field))

    def spans(self, doc: Document) -> list[Span]:
        width = len(self.seq.patterns) - 1
        return [(s, s + width) for s in sequence_starts(doc, self.seq.patterns, self.seq.field)]

    def match(self, doc: Document) -> list[Hit] | None:
        spans = self.spans(doc)
        if not spans:
            return None
        return _first_per_field(doc, self.seq.label, spans)


@dataclass(frozen=True)
class RegexMatcher:
    node: Regex

    def test(self, doc: Document) -> bool:
        fields = (self.node.field,) if self.node.field else FIELDS
        return any(self._visible(doc.normalized(f)) for f in fields)

    def match(self, doc: Document) -> list[Hit] | None:
        hits = []
        for name in (self.node.field,) if self.node.field else FIELDS:
            text = doc.normalized(name)
            m = self._visible(text)
            if m:
                hits.append(Hit(self.node.label, name, snippet=make_snippet(text, m.start(), m.end()),
                                score=1.0))
        return hits or None

    def _visible(self, text: str) -> re.Match[str] | None:
        """The first match that holds some visible text: `/a*/` matching nothing, or `/ /` matching a
        blank title, would be a hit with nothing to show for it."""
        return next((m for m in self.node.pattern.finditer(text) if m.group().strip()), None)


@dataclass(frozen=True)
class OrSpans:
    """An OR of words/phrases as a NEAR operand."""

    children: tuple[SeqMatcher | OrSpans, ...]

    def spans(self, doc: Document) -> list[Span]:
        return sorted({s for c in self.children for s in c.spans(doc)})


@dataclass(frozen=True)
class NearMatcher:
    left: SeqMatcher | OrSpans
    right: SeqMatcher | OrSpans
    distance: int
    label: str

    def test(self, doc: Document) -> bool:
        return bool(self._found(doc))

    def match(self, doc: Document) -> list[Hit] | None:
        found = self._found(doc)
        return _first_per_field(doc, self.label, found) if found else None

    def _found(self, doc: Document) -> list[Span]:
        rights = self.right.spans(doc)
        if not rights:
            return []
        found = []
        for ls, le in self.left.spans(doc):
            for rs, re_ in rights:
                between = max(rs - le, ls - re_) - 1  # words strictly between; negative = overlap
                if between <= self.distance and doc.field_at(ls) == doc.field_at(rs):
                    found.append((min(ls, rs), max(le, re_)))
        return found


@dataclass(frozen=True)
class AndMatcher:
    children: tuple[Matcher, ...]

    def test(self, doc: Document) -> bool:
        for child in self.children:  # noqa: SIM110 - the hot loop: a plain loop beats all(generator)
            if not child.test(doc):
                return False
        return True

    def match(self, doc: Document) -> list[Hit] | None:
        hits: list[Hit] = []
        for child in self.children:
            found = child.match(doc)
            if found is None:
                return None
            hits.extend(found)
        return hits


@dataclass(frozen=True)
class OrMatcher:
    children: tuple[Matcher, ...]

    def test(self, doc: Document) -> bool:
        for child in self.children:  # noqa: SIM110 - as above
            if child.test(doc):
                return True
        return False

    def match(self, doc: Document) -> list[Hit] | None:
        results = [found for c in self.children if (found := c.match(doc)) is not None]
        return [h for found in results for h in found] if results else None


@dataclass(frozen=True)
class NotMatcher:
    child: Matcher

    def test(self, doc: Document) -> bool:
        return not self.child.test(doc)

    def match(self, doc: Document) -> list[Hit] | None:
        return None if self.child.test(doc) else []  # a NOT explains nothing: no hits to build


def compile_query(query: str) -> Matcher:
    """Parse and compile `query` (QueryError if it does not parse)."""
    return compile_node(parse_query(query))


def compile_node(node: Node) -> Matcher:
    if isinstance(node, Seq):
        return SeqMatcher(node)
    if isinstance(node, Regex):
        return RegexMatcher(node)
    if isinstance(node, Near):
        label = f"{_label(node.left)} NEAR/{node.distance} {_label(node.right)}"
        return NearMatcher(_spans(node.left), _spans(node.right), node.distance, label)
    if isinstance(node, And):
        return AndMatcher(tuple(compile_node(c) for c in node.children))
    if isinstance(node, Or):
        return OrMatcher(tuple(compile_node(c) for c in node.children))
    return NotMatcher(compile_node(node.child))


def _spans(node: Node) -> SeqMatcher | OrSpans:
    if isinstance(node, Seq):
        return SeqMatcher(node)
    assert isinstance(node, Or)  # the parser only lets words, phrases and OR-groups of them through
    return OrSpans(tuple(_spans(c) for c in node.children))


def _label(node: Node) -> str:
    if isinstance(node, Seq):
        return node.label
    assert isinstance(node, Or)
    return "(" + " OR ".join(_label(c) for c in node.children) + ")"


def _first_per_field(doc: Document, label: str, spans: list[Span]) -> list[Hit]:
    """One hit per field (the first occurrence), scored by how often it occurs."""
    hits: dict[str, Hit] = {}
    for start, end in spans:
        field = doc.field_at(start)
        if field not in hits:
            hits[field] = Hit(label, field, snippet=doc.snippet(start, end), score=1.0)
    return list(hits.values())
