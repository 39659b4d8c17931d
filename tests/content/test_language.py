from __future__ import annotations

import pytest

from monitor.content.language import detect_language, normalize_lang

SAMPLES = {
    "hi": "अमेरिकी समर्थित बल के लड़ाकों ने रविवार को कहा कि आतंकवादियों ने "
          "कार बम और आत्मघाती हमलावरों का इस्तेमाल किया।",
    "ar": "تعرض آخر جيب لتنظيم داعش في شرق سوريا للقصف بضربات جوية ومدفعية "
          "يوم الإثنين ضمن هجوم تدعمه الولايات المتحدة.",
    "en": "US-backed Syrian forces said they were close to defeating the militants "
          "in their final scrap of territory.",
    "de": "Der Eurokurs ist am ersten Handelstag des neuen Jahres merklich gefallen, "
          "berichteten Händler in Frankfurt.",
    "ru": "Курс евро заметно снизился в первый торговый день нового года, сообщили трейдеры во Франкфурте.",
    "zh": "美国支持的叙利亚民主力量表示，他们即将在叙利亚东部击败武装分子，战斗仍在继续。",
}


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_detects_language(code: str, text: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "   ", "OK", "12:30", "+A A-", "https://x.y/z"])
def test_too_short_or_no_words_is_unsure(text: str) -> None:
    assert detect_language(text) is None


def test_a_mix_below_the_threshold_is_unsure() -> None:
    mixed = "Der Eurokurs Курс евро 美国支持的 the forces said"
    assert detect_language(mixed, min_confidence=0.999) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("ar-SA", "ar"), ("en_US", "en"), ("EN", "en"), ("zh-Hans-CN", "zh"), (" hi ", "hi"), ("deu", "de"),
    ("", None), (None, None), ("x", None), ("12", None), ("en US", None), ("qqq", None),
])
def test_normalize_lang(value: str | None, expected: str | None) -> None:
    assert normalize_lang(value) == expected
