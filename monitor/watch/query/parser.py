"""Recursive-descent parser for watchlist queries.

    query    := or_expr EOF
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*          adjacent terms are ANDed
    unary    := ("NOT" | "-") unary | near
    near     := primary ("NEAR/n" primary)*     both sides words, phrases or OR-groups of them
    primary  := [FIELD ":"] ( "(" or_expr ")" | WORD | "PHRASE" | /REGEX/ )

Every error is a `QueryError` with the column of the offending token.
"""

from __future__ import annotations

import re
import warnings

from monitor.errors import QueryError
from monitor.watch.document import Pattern
from monitor.watch.normalize import arabic_term_key, is_arabic, terms_of
from monitor.watch.query.ast import And, Near, Node, Not, Or, Regex, Seq, is_positional, is_positive
from monitor.watch.query.lexer import Tok, lex

_STARTS_UNARY = {"WORD", "PHRASE", "REGEX", "LPAREN", "NOT", "MINUS", "FIELD"}


def parse_query(query: str) -> Node:
    """Parse `query` into a tree, or raise QueryError pointing at the column."""
    if not query.strip():
        raise QueryError("empty query", query=query, column=0)
    node = _Parser(query).parse()
    if not is_positive(node):
        raise QueryError("the query only excludes; add a term it must contain", query=query, column=0)
    return node


def literal_seq(text: str, *, label: str | None = None, field: str | None = None, column: int = 0,
                query: str | None = None) -> Seq:
    """A term or phrase as words (a trailing `*` on a word makes it a prefix); QueryError if no words."""
    q = query if query is not None else text
    words: list[Pattern] = []
    for chunk in text.split():
        prefix = chunk.endswith("*")
        body = chunk.rstrip("*")
        if "*" in body:
            raise QueryError("'*' is only allowed at the end of a word", query=q, column=column)
        norms = terms_of(body)
        if prefix and (not norms or len(norms[-1]) < 2):
            raise QueryError("a prefix needs at least two letters before '*'", query=q, column=column)
        for k, norm in enumerate(norms):
            key = arabic_term_key(norm) if is_arabic(norm) else norm
            words.append(Pattern(key, prefix and k == len(norms) - 1))
    if not words:
        raise QueryError(f"no letters or digits in {text!r}", query=q, column=column)
    return Seq(tuple(words), label if label is not None else text, field, column)


class _Parser:
    def __init__(self, query: str) -> None:
        self.q = query
        self.toks = lex(query)
        self.i = 0

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def advance(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: Tok | None = None) -> QueryError:
        return QueryError(message, query=self.q, column=(tok or self.tok).column)

    def parse(self) -> Node:
        node = self.or_expr(None)
        if self.tok.kind == "RPAREN":
            raise self.error("unmatched ')'")
        if self.tok.kind != "EOF":
            raise self.error(f"unexpected {self.tok.value!r}")
        return node

    def or_expr(self, field: str | None) -> Node:
        children = [self.and_expr(field)]
        while self.tok.kind == "OR":
            self.advance()
            children.append(self.and_expr(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field: str | None) -> Node:
        children = [self.unary(field)]
        while True:
            if self.tok.kind == "AND":
                self.advance()
            elif self.tok.kind not in _STARTS_UNARY:
                break
            children.append(self.unary(field))
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, field: str | None) -> Node:
        if self.tok.kind in ("NOT", "MINUS"):
            tok = self.advance()
            return Not(self.unary(field), tok.column)
        return self.near(field)

    def near(self, field: str | None) -> Node:
        left = self.primary(field)
        while self.tok.kind == "NEAR":
            op = self.advance()
            right = self.primary(field)
            if not (is_positional(left) and is_positional(right)):
                raise self.error("NEAR needs words, phrases or (a OR b) groups on both sides", op)
            left = Near(left, right, op.number, op.column)
        return left

    def primary(self, field: str | None) -> Node:
        tok = self.tok
        if tok.kind == "FIELD":
            self.advance()
            if self.tok.kind not in ("LPAREN", "WORD", "PHRASE", "REGEX"):
                raise self.error(f"'{tok.value}:' must be followed by a term, phrase or group", tok)
            return self.primary(tok.value)
        if tok.kind == "LPAREN":
            self.advance()
            if self.tok.kind == "RPAREN":
                raise self.error("empty parentheses")
            node = self.or_expr(field)
            if self.tok.kind != "RPAREN":
                raise self.error("unclosed '('", tok)
            self.advance()
            return node
        if tok.kind in ("WORD", "PHRASE"):
            self.advance()
            label = f'"{tok.value}"' if tok.kind == "PHRASE" else tok.value
            column = tok.column + (1 if tok.kind == "PHRASE" else 0)
            return literal_seq(tok.value, label=label, field=field, column=column, query=self.q)
        if tok.kind == "REGEX":
            self.advance()
            return Regex(self._compile_regex(tok), f"/{tok.value}/", field, tok.column)
        if tok.kind == "EOF":
            raise self.error("the query ends where a term was expected")
        raise self.error(f"expected a term, got {tok.value!r}")

    def _compile_regex(self, tok: Tok) -> re.Pattern[str]:
        try:
            with warnings.catch_warnings():  # "possible nested set" ("[[") warns of a future meaning only
                warnings.simplefilter("ignore", FutureWarning)
                return re.compile(tok.value, re.IGNORECASE)
        except re.error as exc:
            column = tok.column + 1 + (exc.pos or 0)
            raise QueryError(f"invalid regex: {exc.msg}", query=self.q, column=column) from None
