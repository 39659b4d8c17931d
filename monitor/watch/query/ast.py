"""The syntax tree of a watchlist query. Columns are 0-based offsets into the query string."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.watch.document import Pattern


@dataclass(frozen=True)
class Seq:
    """A word or an exact phrase: consecutive normalised words (the last may be a prefix)."""

    patterns: tuple[Pattern, ...]
    label: str  # as written, for explanations
    field: str | None
    column: int


@dataclass(frozen=True)
class Regex:
    pattern: re.Pattern[str]
    label: str
    field: str | None
    column: int


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    column: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node
    column: int


Node = Seq | Regex | Near | And | Or | Not


def is_positional(node: Node) -> bool:
    """Whether `node` has word positions (what NEAR needs on both sides)."""
    if isinstance(node, Seq):
        return True
    return isinstance(node, Or) and all(is_positional(c) for c in node.children)


def is_positive(node: Node) -> bool:
    """Whether matching `node` needs some word to be present (a query of only NOTs matches all)."""
    if isinstance(node, And):
        return any(is_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(is_positive(c) for c in node.children)
    return not isinstance(node, Not)


def describe(node: Node) -> str:
    """The tree in a fully parenthesised form of normalised words, to show how a query is read."""
    if isinstance(node, Seq):
        words = " ".join(p.word + ("*" if p.prefix else "") for p in node.patterns)
        text = f'"{words}"' if len(node.patterns) > 1 else words
        return f"{node.field}:{text}" if node.field else text
    if isinstance(node, Regex):
        return f"{node.field}:{node.label}" if node.field else node.label
    if isinstance(node, Near):
        return f"({describe(node.left)} NEAR/{node.distance} {describe(node.right)})"
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(c) for c in node.children) + ")"
