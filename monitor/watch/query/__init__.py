"""The watchlist query language: lexer, parser, compiler (see docs/watchlists.md)."""

from monitor.watch.query.compiler import Matcher, compile_node, compile_query
from monitor.watch.query.parser import literal_seq, parse_query

__all__ = ["Matcher", "compile_node", "compile_query", "literal_seq", "parse_query"]
