from __future__ import annotations

import pytest

from monitor.models import Hit
from monitor.watch.document import Document
from monitor.watch.query import compile_query


def matches(query: str, text: str, title: str = "") -> bool:
    return compile_query(query).match(Document(title, text)) is not None


@pytest.mark.parametrize(("query", "text", "expected"), [
    ('"Mustafa Bali"', "said Mustafa Bali, a media official", True),
    ('"Mustafa Bali"', "Mustafa said that Bali", False),
    ("Bali", "flights to Balikpapan resumed", False),  # not inside another word
    ("Bali", "the Bali-bound ferry", True),  # a hyphen is a word boundary
    ("bomb*", "a car bomber struck", True),
    ("bomb*", "a big explosion", False),
    ('"car bomb*"', "two car bombs exploded", True),
    ("café", "CAFE culture", True),
    ("cafe", "Café culture", True),
    ("a AND NOT b", "a c", True),
    ("a AND NOT b", "a b", False),
    ("a -b", "a b", False),
    ("a (b OR c)", "c a", True),
    ("a (b OR c)", "a d", False),
    ("北京", "他在北京工作", True),  # CJK term inside running text
    ("北京", "北方的京剧", False),
    ("/\\d+ (killed|dead)/", "at least 12 killed on Monday", True),
    ("/caf(e|é)s?/", "the Café was closed", True),  # regexes see the normalised text
])
def test_query_semantics(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_near_counts_words_between_in_either_order() -> None:
    text = "a car bomb went off near town of Baghouz today"
    assert matches('"car bomb" NEAR/5 Baghouz', text)  # 5 words between
    assert not matches('"car bomb" NEAR/4 Baghouz', text)
    assert matches('Baghouz NEAR/5 "car bomb"', text)  # either order
    assert matches("(truck OR car) NEAR/1 (went OR bomb)", text)


def test_near_never_spans_title_and_text() -> None:
    doc = Document("Baghouz", "car bomb")
    assert compile_query("Baghouz NEAR/3 car").match(doc) is None


def test_field_scope() -> None:
    assert matches("title:daesh", "nothing here", title="Daesh loses ground")
    assert not matches("title:daesh", "Daesh loses ground", title="nothing here")
    assert matches('title:"loses ground"', "", title="Daesh loses ground")
    assert matches("title:(foo OR daesh) AND text:ground", "ground", title="Daesh")


def test_hits_explain_the_match_with_field_and_snippet() -> None:
    hits = compile_query('(Baghouz OR "car bomb") AND NOT football').match(
        Document("Fighting at Baghouz", "A car bomb exploded " + "x " * 100 + "near Baghouz."))
    assert hits is not None
    found = {(h.term, h.field) for h in hits}
    assert found == {("Baghouz", "title"), ("Baghouz", "text"), ('"car bomb"', "text")}
    snippet = next(h.snippet for h in hits if h.term == '"car bomb"')
    assert "car bomb" in snippet and len(snippet) <= 90


def test_arabic_clitics_and_diacritics_on_both_sides() -> None:
    text = "هجوم لداعش على والباغوز وقال مصطفى بالي"
    assert matches("داعش", text)
    assert matches("دَاعِش", text)
    assert matches("الداعش", text)
    assert matches("الباغوز", text)
    assert matches("باغوز", text)
    assert matches('"مصطفى بالي"', text)
    assert not matches("عش", text)  # a stem is a whole word, not a suffix


def test_devanagari_nukta_variants_match_each_other() -> None:
    assert matches("बघौज़", "सेना ने बघौज पर हमला किया")
    assert matches("बघौज", "सेना ने बघौज़ पर हमला किया")
    assert not matches("बघ", "सेना ने बघौज पर हमला किया")  # a matra is part of the word


@pytest.fixture(scope="module")
def seed_docs(seeds: list[tuple[str, str]]) -> list[Document]:
    return [Document("", text) for _, text in seeds]


@pytest.mark.parametrize(("query", "expected"), [
    ("داعش", [False, True, True, True, False]),
    ("دَاعِش", [False, True, True, True, False]),
    ("الداعش", [False, True, True, True, False]),
    ("बघौज", [True, False, False, False, False]),
    ('"Mustafa Bali"', [False, False, False, False, True]),
    ('"مصطفى بالي"', [False, True, True, True, False]),
    ("Baghouz OR الباغوز OR बघौज", [True, True, True, True, True]),
])
def test_seeds(seed_docs: list[Document], query: str, expected: list[bool]) -> None:
    matcher = compile_query(query)
    assert [matcher.match(d) is not None for d in seed_docs] == expected


def test_not_tests_its_operand_without_explaining_it() -> None:
    from monitor.watch.query.compiler import NotMatcher

    class Unexplained:
        def __init__(self, present: bool) -> None:
            self.present = present

        def test(self, doc: Document) -> bool:
            return self.present

        def match(self, doc: Document) -> list[Hit] | None:
            raise AssertionError("NOT builds no hits for its operand")

    doc = Document("", "x")
    assert NotMatcher(Unexplained(present=False)).match(doc) == []
    assert NotMatcher(Unexplained(present=True)).match(doc) is None
