from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from monitor.content import language
from monitor.content.language import choose_language, detect_language, dominant_script, normalize_lang

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


def test_only_iso_639_1_codes_come_out() -> None:
    for text in SAMPLES.values():
        code = detect_language(text)
        assert code is not None and len(code) == 2
    cantonese = "佢哋話今日會喺香港開記者會，講返呢件事嘅最新情況，唔該大家留意。"
    assert detect_language(cantonese) in ("zh", None)


@pytest.mark.parametrize(("text", "script"), [
    (SAMPLES["ar"], "arabic"), (SAMPLES["hi"], "devanagari"), (SAMPLES["ru"], "cyrillic"),
    (SAMPLES["zh"], "cjk"), (SAMPLES["en"], "latin"), ("12:30 — 14:00", None),
])
def test_dominant_script(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


def test_declared_language_is_kept_unless_the_text_says_otherwise() -> None:
    assert choose_language("ar", SAMPLES["ar"]) == "ar"
    assert choose_language("en", SAMPLES["zh"]) == "zh"  # template lang in another script than the text
    assert choose_language("en", SAMPLES["de"]) == "en"  # same script, short text: the page is trusted
    assert choose_language("en", SAMPLES["de"] * 6) == "de"  # same script, long and certain
    assert choose_language("fr", "OK") == "fr"
    assert choose_language(None, SAMPLES["ru"]) == "ru"
    assert choose_language(None, "OK") is None


def test_threads_meeting_the_model_first_load_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid import langid

    monkeypatch.setattr(langid, "IDENTIFIER", None)
    monkeypatch.setattr(language, "_model_loaded", False)
    loads: list[int] = []
    real = langid.LanguageIdentifier.from_model_file.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *args: object, **kwargs: object) -> object:
        loads.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", classmethod(counted))
    texts = ["The council said the bridge stays closed until the inspection is over.",
             "Le conseil a dit que le pont reste fermé jusqu'à la fin de l'inspection.",
             "Der Rat sagte, die Brücke bleibe bis zum Ende der Prüfung gesperrt."] * 3
    start = threading.Barrier(len(texts))

    def detect(text: str) -> str | None:
        start.wait()
        return language.detect_language(text)

    with ThreadPoolExecutor(len(texts)) as pool:
        found = list(pool.map(detect, texts))
    assert found == ["en", "fr", "de"] * 3
    assert len(loads) == 1
