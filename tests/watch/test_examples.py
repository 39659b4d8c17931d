"""The shipped example watchlists load, and every query example in docs/watchlists.md parses."""

from __future__ import annotations

import re
import tomllib

import pytest

from monitor.watch import load_watchlists
from monitor.watch.query import parse_query
from tests.watch.conftest import REPO, E5Embedder


def test_example_watchlists_load_against_the_example_config(embedder: E5Embedder) -> None:
    config = tomllib.loads((REPO / "config" / "monitor.example.toml").read_text(encoding="utf-8"))
    watchlists, errors = load_watchlists(REPO / "config" / "watchlists", channels=set(config["channels"]),
                                         embedder=embedder)
    assert errors == []
    assert {w.name for w in watchlists} >= {"syria-conflict", "car-bombs", "baghouz-topic"}


def doc_query_examples() -> list[str]:
    text = (REPO / "docs" / "watchlists.md").read_text(encoding="utf-8")
    section = text.split("## The query language", 1)[1].split("\nNotes:", 1)[0]
    examples = []
    for row in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)]
        if len(cells) >= 4 and cells[3].startswith("`"):
            examples += [e.replace("\\|", "|") for e in re.findall(r"`([^`]+)`", cells[3])]
    return examples


@pytest.mark.parametrize("query", doc_query_examples())
def test_documented_examples_parse(query: str) -> None:
    parse_query(query)


def test_docs_have_examples_in_latin_arabic_and_devanagari() -> None:
    examples = " ".join(doc_query_examples())
    assert len(doc_query_examples()) >= 20
    assert re.search("[a-z]", examples) and re.search("[\u0600-\u06ff]", examples)
    assert re.search("[\u0900-\u097f]", examples)
