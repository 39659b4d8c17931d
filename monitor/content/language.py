"""Language of a text or of a `lang` attribute, as ISO 639-1 codes, offline (py3langid)."""

from __future__ import annotations

import math
import re
import threading

_LANG_ATTR = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
_WORD_CHARS = re.compile(r"\w", re.UNICODE)
# ISO 639-2/3 codes seen in lang attributes, mapped to their 639-1 form.
_THREE_TO_TWO = {
    "ara": "ar", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru",
    "zho": "zh", "chi": "zh", "hin": "hi", "pol": "pl", "ell": "el", "gre": "el", "tur": "tr", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "fas": "fa", "per": "fa", "urd": "ur", "jpn": "ja", "kor": "ko",
}
# py3langid's codes outside ISO 639-1: regional varieties fold into their macrolanguage (Egyptian
# Arabic is Arabic for our purposes), the rest have no 639-1 code and count as unknown.
_MODEL_TO_ISO1 = {"arz": "ar", "ary": "ar", "yue": "zh", "wuu": "zh", "gug": "gn", "uzs": "uz", "grc": "el",
                  "hbo": "he", "kik": "ki"}
# Below this many letters/digits a guess is noise.
MIN_DETECT_CHARS = 20
# Enough text to judge the language; the rest only costs time (py3langid walks every byte in Python).
# 1,000 characters already give the language 5,000 gave on all 2,477 dev-pair articles and the 249
# extraction-benchmark pages; 1,500 keeps a margin.
MAX_DETECT_CHARS = 1500
# py3langid loads its model lazily into a global without a lock: every extraction thread that met it
# first decompressed the model again (0.6 s of CPU and some 20 MB apiece at the start of a run).
_MODEL_LOCK = threading.Lock()
_model_loaded = False


def normalize_lang(value: str | None) -> str | None:
    """'ar-SA' -> 'ar', 'zh_Hans_CN' -> 'zh', 'ENG' -> 'en'; None for empty or malformed values."""
    match = _LANG_ATTR.match(value or "")
    if not match:
        return None
    code = match.group(1).lower()
    if len(code) == 3:
        return _THREE_TO_TWO.get(code)
    return code


def detect_language_with_confidence(text: str) -> tuple[str | None, float]:
    """Best language and its probability among all py3langid languages; (None, 0.0) for short text."""
    sample = text[:MAX_DETECT_CHARS]
    if len(_WORD_CHARS.findall(sample)) < MIN_DETECT_CHARS:
        return None, 0.0
    ranked = _rank(sample)  # log-probabilities, best first
    best_score = ranked[0][1]
    weights: dict[str, float] = {}
    for code, score in ranked:
        iso = _MODEL_TO_ISO1.get(code, code)
        weights[iso] = weights.get(iso, 0.0) + math.exp(score - best_score)
    best = max(weights, key=weights.__getitem__)
    confidence = weights[best] / sum(weights.values())
    return (best, confidence) if len(best) == 2 else (None, 0.0)


def detect_language(text: str, min_confidence: float = 0.8) -> str | None:
    """ISO 639-1 code of `text`, or None when the text is too short or the guess is unsure."""
    code, confidence = detect_language_with_confidence(text)
    return code if code and confidence >= min_confidence else None


# Writing system of the languages whose script tells them apart from a page's actual text.
_SCRIPTS = {
    "arabic": "ar fa ur ps ku sd ug", "cyrillic": "ru uk bg sr mk be kk ky mn tg", "greek": "el",
    "hebrew": "he yi", "devanagari": "hi mr ne sa", "cjk": "zh ja ko", "thai": "th",
    "latin": "en de fr es it pt nl pl tr sv da no nb nn fi cs sk hu ro hr sl lt lv et id ms vi tl sq ca eu "
             "gl af sw az uz is ga cy mt lb eo",
}
LANGUAGE_SCRIPT = {code: script for script, codes in _SCRIPTS.items() for code in codes.split()}
_RANGES = (
    (0x0041, 0x024F, "latin"), (0x0370, 0x03FF, "greek"), (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"), (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"), (0x0E00, 0x0E7F, "thai"), (0x3040, 0x30FF, "cjk"),
    (0x3400, 0x9FFF, "cjk"), (0xAC00, 0xD7AF, "cjk"), (0xFB50, 0xFEFF, "arabic"),
)
# A declared language loses to a confident detection in the same script only with this much
# certainty and text (an Arabic site on an English WordPress theme says lang="en-US"; a German one too).
SAME_SCRIPT_OVERRIDE_CONFIDENCE = 0.99
SAME_SCRIPT_OVERRIDE_MIN_CHARS = 400


def dominant_script(text: str, sample: int = 2000) -> str | None:
    """The writing system most letters of `text` are in (see _RANGES), or None when there are none."""
    counts: dict[str, int] = {}
    for char in text[:sample]:
        if not char.isalpha():
            continue
        point = ord(char)
        for low, high, script in _RANGES:
            if low <= point <= high:
                counts[script] = counts.get(script, 0) + 1
                break
    return max(counts, key=counts.__getitem__) if counts else None


def choose_language(declared: str | None, text: str, min_confidence: float = 0.8) -> str | None:
    """The article's language: the page's declaration, unless the text plainly says otherwise.

    Detection wins over a declaration written in another script than the text's (lang="en" on a
    Chinese page), or, in the same script, when it is near-certain on a long text.
    """
    detected, confidence = detect_language_with_confidence(text)
    sure = detected is not None and confidence >= min_confidence
    if not declared:
        return detected if sure else None
    if detected == declared or not sure:
        return declared
    declared_script = LANGUAGE_SCRIPT.get(declared)
    text_script = dominant_script(text)
    if declared_script and text_script and declared_script != text_script:
        return detected
    long_and_certain = (confidence >= SAME_SCRIPT_OVERRIDE_CONFIDENCE
                        and len(text) >= SAME_SCRIPT_OVERRIDE_MIN_CHARS)
    return detected if long_and_certain else declared


def _rank(sample: str) -> list[tuple[str, float]]:
    global _model_loaded
    from py3langid import langid  # numpy: only once a language is to be detected

    if _model_loaded:
        return langid.rank(sample)  # type: ignore[no-any-return]
    with _MODEL_LOCK:  # the first caller loads the model; the others wait for it
        ranked = langid.rank(sample)
        _model_loaded = True
    return ranked  # type: ignore[no-any-return]
