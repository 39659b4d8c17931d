"""Language of a text or of a `lang` attribute, as ISO 639-1 codes, offline (py3langid)."""

from __future__ import annotations

import math
import re

from py3langid import langid

_LANG_ATTR = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
_WORD_CHARS = re.compile(r"\w", re.UNICODE)
# ISO 639-2/3 codes seen in lang attributes, mapped to their 639-1 form.
_THREE_TO_TWO = {
    "ara": "ar", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru",
    "zho": "zh", "chi": "zh", "hin": "hi", "pol": "pl", "ell": "el", "gre": "el", "tur": "tr", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "fas": "fa", "per": "fa", "urd": "ur", "jpn": "ja", "kor": "ko",
}
# Below this many letters/digits a guess is noise.
MIN_DETECT_CHARS = 20
# Enough text to judge the language; the rest only costs time.
MAX_DETECT_CHARS = 5000


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
    ranked = langid.rank(sample)  # log-probabilities, best first
    best_score = ranked[0][1]
    total = sum(math.exp(score - best_score) for _, score in ranked)
    return ranked[0][0], 1.0 / total


def detect_language(text: str, min_confidence: float = 0.8) -> str | None:
    """ISO 639-1 code of `text`, or None when the text is too short or the guess is unsure."""
    code, confidence = detect_language_with_confidence(text)
    return code if code and confidence >= min_confidence else None
