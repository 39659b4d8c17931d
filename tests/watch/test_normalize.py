from __future__ import annotations

import pytest

from monitor.watch.normalize import arabic_stems, arabic_term_key, normalize, terms_of, tokenize


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


def test_terms_of_query_words() -> None:
    assert terms_of("Mustafa BALI") == ["mustafa", "bali"]
    assert terms_of("—") == []
