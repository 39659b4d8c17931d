"""Query tokens: words, "phrases", /regexes/, parentheses, operators, field prefixes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from monitor.errors import QueryError
from monitor.watch.document import FIELDS

# Upper or lower case: "syria or iraq" means what it says. Quote the word to search it ("or"); mixed
# case stays a word (German "Not", the name "Or").
_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "and": "AND", "or": "OR", "not": "NOT"}
_NEAR = re.compile(r"NEAR/(\d+)")
_FIELD = re.compile(r"([A-Za-z_]+):")
_STOP = set("()\"") | {" ", "\t", "\n", "\r"}
MAX_NEAR = 100


@dataclass(frozen=True)
class Tok:
    kind: str  # WORD PHRASE REGEX LPAREN RPAREN AND OR NOT NEAR MINUS FIELD EOF
    value: str
    column: int
    number: int = 0  # NEAR distance


def lex(query: str) -> list[Tok]:
    return [*_tokens(query), Tok("EOF", "", len(query))]


def _tokens(q: str) -> Iterator[Tok]:
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "()":
            yield Tok("LPAREN" if c == "(" else "RPAREN", c, i)
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QueryError("unclosed quote", query=q, column=i)
            yield Tok("PHRASE", q[i + 1:end], i)
            i = end + 1
        elif c == "/":
            end = _regex_end(q, i)
            yield Tok("REGEX", q[i + 1:end], i)
            i = end + 1
        elif c == "-":
            if i + 1 >= n or q[i + 1].isspace() or q[i + 1] == ")":
                raise QueryError("'-' must be followed by the term to exclude", query=q, column=i)
            yield Tok("MINUS", c, i)
            i += 1
        else:
            end = i
            while end < n and q[end] not in _STOP:
                end += 1
            yield from _word(q, i, end)
            i = end


def _regex_end(q: str, start: int) -> int:
    i = start + 1
    while i < len(q):
        if q[i] == "\\":
            i += 2
            continue
        if q[i] == "/":
            if i == start + 1:
                raise QueryError("empty regex", query=q, column=start)
            return i
        i += 1
    raise QueryError("unclosed regex (missing '/')", query=q, column=start)


def _word(q: str, start: int, end: int) -> Iterator[Tok]:
    word = q[start:end]
    if word in _OPERATORS:
        yield Tok(_OPERATORS[word], word, start)
        return
    if word.startswith("NEAR"):
        m = _NEAR.fullmatch(word)
        if not m:
            raise QueryError("write NEAR/n with a distance in words, e.g. NEAR/5", query=q, column=start)
        distance = int(m.group(1))
        if not 0 <= distance <= MAX_NEAR:
            raise QueryError(f"NEAR distance must be 0..{MAX_NEAR}", query=q, column=start)
        yield Tok("NEAR", word, start, distance)
        return
    m = _FIELD.match(word)
    if m:
        name = m.group(1)
        if name.lower() not in FIELDS:
            raise QueryError(f"unknown field '{name}' (fields: {', '.join(FIELDS)}; quote a literal colon)",
                             query=q, column=start)
        yield Tok("FIELD", name.lower(), start)
        rest = m.end()
        if q.startswith("-", start + rest):
            raise QueryError("write -title:term, not title:-term", query=q, column=start + rest)
        if start + rest < end:
            yield from _word(q, start + rest, end)
        elif end >= len(q) or q[end].isspace() or q[end] == ")":
            raise QueryError(f"'{word}' must be followed by a term, phrase or group", query=q, column=start)
        return
    yield Tok("WORD", word, start)
