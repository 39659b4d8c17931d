from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.watch.document import Document
from monitor.watch.normalize import arabic_stems, arabic_term_key, normalize, terms_of, tokenize
from monitor.watch.query import literal_seq
from monitor.watch.query.compiler import SeqMatcher


@pytest.mark.parametrize(("raw", "folded"), [
    ("Café ÉTÉ", "cafe ete"),  # Latin accents off, case folded
    ("Straße", "strasse"),
    ("Ελλάδα", "ελλαδα"),  # Greek tonos off
    ("Ёлка", "елка"),  # Cyrillic diaeresis off
    ("ﬁnance", "finance"),  # NFKC ligature
    ("دَاعِشٌ", "داعش"),  # harakat and tanween
    ("مُحَمَّد", "محمد"),  # shadda
    ("أحمد إسلام آمن ٱلله", "احمد اسلام امن الله"),  # alef variants
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("مدرسة", "مدرسه"),  # teh marbuta
    ("مؤتمر رئيس", "موتمر رييس"),  # hamza on waw / ya
    ("الـــباغوز", "الباغوز"),  # tatweel
    ("ﻻ", "لا"),  # presentation form
    ("ज़मीन", "जमीन"),  # nukta (combining)
    ("\u095b", "ज"),  # precomposed ज़ (U+095B)
    ("\u0958", "क"),  # precomposed क़
    ("आँख", "आंख"),  # chandrabindu and anusvara spellings
    ("क्\u200dष", "क्ष"),  # joiners are invisible spelling hints
    ("می\u200cخواهم", "ميخواهم"),
    ("co\u00adoperate", "cooperate"),  # soft hyphen
])
def test_normalize_folds(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_devanagari_vowel_signs_are_kept() -> None:
    # matras and virama are letters here, not accents: the words must stay different
    assert normalize("बघौज") == "बघौज"
    assert normalize("कि") != normalize("क")
    assert normalize("क्या") != normalize("कया")


@pytest.mark.parametrize(("text", "tokens"), [
    ("US-backed forces, Bali-bound!", ["us", "backed", "forces", "bali", "bound"]),
    ("सीरिया के डेमोक्रेटिक फोर्सेस", ["सीरिया", "के", "डेमोक्रेटिक", "फोर्सेस"]),
    ("قوات سوريا الديمقراطية (قسد)، الباغوز..", ["قوات", "سوريا", "الديمقراطيه", "قسد", "الباغوز"]),
    ("Москва, 5 марта", ["москва", "5", "марта"]),
    ("北京大学の学生", ["北", "京", "大", "学", "の", "学", "生"]),
    ("서울 시장", ["서", "울", "시", "장"]),
    ("co\u00adoperate क्\u200dष", ["cooperate", "क्ष"]),  # soft hyphen and joiner inside a word
])
def test_tokenize_keeps_marks_inside_words_and_splits_cjk(text: str, tokens: list[str]) -> None:
    assert [t.norm for t in tokenize(text)] == tokens


def test_token_spans_point_into_the_original_text() -> None:
    text = "Le Café de Flore — دَاعِش"
    for token in tokenize(text):
        assert normalize(text[token.start:token.end]) == token.norm


def test_arabic_clitic_stems() -> None:
    assert "داعش" in arabic_stems("لداعش")
    assert "الباغوز" in arabic_stems("والباغوز")
    assert "باغوز" in arabic_stems("والباغوز")
    assert "تنظيم" in arabic_stems("للتنظيم")
    assert arabic_stems("في") == []  # never strip down to one letter
    assert arabic_term_key("الباغوز") == "باغوز"
    assert arabic_term_key("بالي") == "بالي"  # a single-letter clitic is not stripped from a query word
    assert arabic_term_key("الله") == "الله"  # nor the article when less than three letters would remain


def test_terms_of_query_words() -> None:
    assert terms_of("Mustafa BALI") == ["mustafa", "bali"]
    assert terms_of("—") == []


SCRIPTS = st.text(alphabet=st.sampled_from(
    list("abcé É-'’.,;:!? \n\t0123") + list("دَاعِشٌأإآٱىةؤئـ،") + list("बघौज़क़ािीुूेैोौं्।")
    + list("北京の서울") + ["\u0301", "\u200c", "\u093c", "\ufb01", "ß", "İ"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(SCRIPTS)
def test_tokens_are_normalised_spans_of_the_text(text: str) -> None:
    for token in tokenize(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.norm == normalize(text[token.start:token.end])
        assert token.norm.strip() == token.norm and token.norm


@settings(max_examples=300, deadline=None)
@given(SCRIPTS)
def test_a_text_always_contains_its_own_words(text: str) -> None:
    doc = Document("", text)
    for token in tokenize(text)[:5]:
        word = text[token.start:token.end]
        try:
            matcher = SeqMatcher(literal_seq(word))
        except QueryError:  # a lone mark or symbol with no letters is not a term
            continue
        assert matcher.test(doc), word
