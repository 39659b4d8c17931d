from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.watch.document import Pattern
from monitor.watch.query import parse_query
from monitor.watch.query.ast import And, Near, Not, Or, Regex, Seq


def words(node: Seq) -> list[str]:
    return [p.word for p in node.patterns]


def test_precedence_and_binds_tighter_than_or() -> None:
    node = parse_query("a b OR c AND d")
    assert isinstance(node, Or)
    left, right = node.children
    assert isinstance(left, And) and [words(c) for c in left.children] == [["a"], ["b"]]
    assert isinstance(right, And) and [words(c) for c in right.children] == [["c"], ["d"]]


def test_not_and_minus_and_parentheses() -> None:
    node = parse_query("(Baghouz OR الباغوز OR बघौज) AND NOT title:football -\"car race\"")
    assert isinstance(node, And)
    group, not_title, not_phrase = node.children
    assert isinstance(group, Or) and [words(c) for c in group.children] == [["baghouz"], ["باغوز"], ["बघौज"]]
    assert isinstance(not_title, Not) and isinstance(not_title.child, Seq)
    assert not_title.child.field == "title" and words(not_title.child) == ["football"]
    assert isinstance(not_phrase, Not) and words(not_phrase.child) == ["car", "race"]


def test_phrase_prefix_near_field_group_and_regex() -> None:
    node = parse_query('"car bomb*" NEAR/5 Baghouz title:(daesh OR "islamic state") /ca[lr]iph\\w+/')
    near, group, regex = node.children
    assert isinstance(near, Near) and near.distance == 5
    assert near.left.patterns == (Pattern("car"), Pattern("bomb", prefix=True))
    assert isinstance(group, Or) and all(c.field == "title" for c in group.children)
    assert isinstance(regex, Regex) and regex.pattern.search("the caliphate")


def test_a_regex_python_warns_about_is_still_a_regex() -> None:
    node = parse_query("/[[]x/")  # "possible nested set": a FutureWarning, not an error, today
    assert isinstance(node, Regex) and node.pattern.search("a [x") and not node.pattern.search("x")


def test_hyphenated_word_is_a_phrase() -> None:
    node = parse_query("US-backed militias")
    assert isinstance(node, And)
    assert words(node.children[0]) == ["us", "backed"]
    assert words(node.children[1]) == ["militias"]


def test_lower_case_operators_are_operators_and_quoted_ones_are_words() -> None:
    either = parse_query("syria or iraq")
    assert isinstance(either, Or) and [words(c) for c in either.children] == [["syria"], ["iraq"]]
    both = parse_query("Baghouz and SDF not football")
    assert isinstance(both, And) and isinstance(both.children[2], Not)
    assert [words(c) for c in both.children[:2]] == [["baghouz"], ["sdf"]]
    quoted = parse_query('"or" Gold')
    assert isinstance(quoted, And) and words(quoted.children[0]) == ["or"]
    german = parse_query("Not Hunger")  # mixed case is a word: German "Not"
    assert isinstance(german, And) and words(german.children[0]) == ["not"]
    with pytest.raises(QueryError, match="ends where a term was expected"):
        parse_query("US-backed and")


@pytest.mark.parametrize(("query", "column", "message"), [
    ("", 0, "empty"),
    ("a OR", 4, "ends"),
    ("(a OR b", 0, "unclosed '('"),
    ("a b)", 3, "unmatched ')'"),
    ('Baghouz "car bomb', 8, "unclosed quote"),
    ("x /[abc/", 3, "invalid regex"),  # the column inside the regex where it breaks
    ("x /abc", 2, "unclosed regex"),
    ("a NEAR b", 2, "NEAR/n"),
    ("a NEAR/5 NOT b", 9, "expected a term"),
    ("a NEAR/3 (b AND c)", 2, "NEAR needs"),
    ("a AND author:bob", 6, "unknown field"),
    ("a - b", 2, "'-' must be followed"),
    ("title: a", 0, "must be followed"),
    ("NOT a", 0, "only excludes"),
    ("b* x", 0, "two letters"),
    ("bo*mb", 0, "only allowed at the end"),
    ("a ()", 3, "empty parentheses"),
    ("a AND &&", 6, "no letters"),
])
def test_errors_point_at_the_column(query: str, column: int, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert info.value.column == column
    assert message in str(info.value)
    assert info.value.query == query


def test_error_message_draws_a_pointer() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("(a OR b")
    assert str(info.value).splitlines()[1:] == ["  (a OR b", "  ^"]


ALPHABET = st.sampled_from([
    "AND", "OR", "NOT", "NEAR/3", "NEAR", "(", ")", '"', "-", "*", "/", "title:", "text:", "foo:",
    "Baghouz", "bomb*", "داعش", "الباغوز", "बघौज", "ज़मीन", "北京", "Москва", "é", "[", "\\", ":", " ",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=14), st.lists(st.booleans(), max_size=14))
def test_random_queries_parse_or_raise_query_error_with_a_column_inside(parts: list[str],
                                                                       glue: list[bool]) -> None:
    query = "".join(p + (" " if i < len(glue) and glue[i] else "") for i, p in enumerate(parts))
    try:
        parse_query(query)
    except QueryError as exc:
        assert 0 <= exc.column <= len(query)
        assert exc.query == query


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes_the_parser(query: str) -> None:
    try:
        parse_query(query)
    except QueryError as exc:
        assert 0 <= exc.column <= len(query)


DOC_WORDS = st.sampled_from(["Baghouz", "bomber", "car", "bomb", "داعش", "لداعش", "الباغوز", "बघौज़", "北京",
                             "Москва", "title", "x", "é", ",", "-", "\n", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=12), st.lists(DOC_WORDS, max_size=20), st.lists(DOC_WORDS, max_size=6))
@example(parts=["/", "/"], text=[], title=[" "])  # found by CI: a regex hit on a blank title, nothing to show
def test_fast_test_and_explained_match_always_agree(parts: list[str], text: list[str],
                                                    title: list[str]) -> None:
    from monitor.watch.document import Document
    from monitor.watch.query import compile_node

    try:
        matcher = compile_node(parse_query(" ".join(parts)))
    except QueryError:
        return
    doc = Document(" ".join(title), " ".join(text))
    hits = matcher.match(doc)
    assert matcher.test(doc) == (hits is not None)
    for hit in hits or ():
        assert hit.field in ("title", "text") and hit.snippet


def test_a_regex_counts_only_where_it_matches_visible_text() -> None:
    from monitor.watch.document import Document
    from monitor.watch.query import compile_node

    blank_title = Document(" ", "Car bomb in Baghouz")
    text = ["car bomb in baghouz"]  # a regex runs on (and quotes) the normalised text
    for query, expected in (("/a*/", text), ("/ /", None), ("/b+/", text)):
        matcher = compile_node(parse_query(query))
        hits = matcher.match(blank_title)
        assert matcher.test(blank_title) == (hits is not None)
        assert (None if hits is None else [h.snippet for h in hits]) == expected
    assert compile_node(parse_query("/x*/")).match(Document("", "Car bomb")) is None
