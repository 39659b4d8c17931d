"""Names and numbers that survive translation: "Baghouz", "الباغوز" and "बघौज" all become "bgz".

Tokens are transliterated to ASCII (anyascii) and reduced to a consonant skeleton with sounds
that scripts render differently merged (k/q/c, j/z, p/b, v/f); vowels, h, w and y are dropped
because Arabic and Hindi spell them inconsistently. Digits of every script become ASCII numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from anyascii import anyascii

from monitor.stories.tokens import WORD

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MERGE = str.maketrans({"c": "k", "q": "k", "j": "z", "p": "b", "v": "f", "x": "k"})
_DROP = re.compile(r"[aeiouyhw\W\d_]+")
# Arabic glues the article and some particles to the word: "والباغوز" = "and the Baghouz".
_ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل")
_MIN_SKELETON = 3
_SENTENCE_END = re.compile(r"[.!?؟।:]\s*$")


def skeleton(ascii_word: str) -> str:
    s = _DROP.sub("", ascii_word.lower().translate(_MERGE))
    s = re.sub(r"(.)\1+", r"\1", s)  # doubled letters: "Ezzor" ~ "Ezor"
    if len(s) > 4 and s.endswith("s"):  # plural/genitive s of Latin-script names
        s = s[:-1]
    return s


def _is_cased(word: str) -> bool:
    return word.lower() != word.upper()


def _candidate(word: str, start: int, text: str, is_rare: Callable[[str], bool]) -> bool:
    """Capitalised words in cased scripts (only rare ones where a sentence starts); rare uncased words."""
    if word.isdigit() or len(word) < 3:
        return False
    if not _is_cased(word):
        return len(word) >= 4 and is_rare(word)
    if not word[0].isupper():
        return False
    before = text[max(0, start - 3):start]
    initial = not before.strip() or bool(_SENTENCE_END.search(before))
    return not initial or is_rare(word)  # "Macron said" opens sentences too; "The" does not count


def name_keys(text: str, is_rare: Callable[[str], bool] = lambda w: True,
              limit: int = 3000) -> frozenset[str]:
    """Consonant skeletons of name-like tokens in the first `limit` characters.

    Scripts without case (Arabic, Devanagari) give no capital letters to spot names by, so their
    words count when `is_rare` says they are uncommon in general news.
    """
    text = unicodedata.normalize("NFKC", text[:limit])
    chosen = {m.group() for m in WORD.finditer(text) if _candidate(m.group(), m.start(), text, is_rare)}
    return _keys_of(chosen)


def _keys_of(words: set[str]) -> frozenset[str]:
    """Skeletons of the words and of their Arabic prefix-stripped forms (one anyascii call for all)."""
    variants = set(words)
    for word in words:
        variants.update(word[len(p):] for p in _ARABIC_PREFIXES
                        if word.startswith(p) and len(word) - len(p) >= 3)
    if not variants:
        return frozenset()
    keys = (skeleton(v) for v in anyascii("\n".join(variants)).split("\n"))
    return frozenset(k for k in keys if len(k) >= _MIN_SKELETON)


def spelled_keys(text: str, limit: int = 3000) -> frozenset[str]:
    """Skeletons of all words of scripts without case: where a Latin-script name is looked up."""
    words = set(WORD.findall(unicodedata.normalize("NFKC", text[:limit])))
    return _keys_of({w for w in words if len(w) >= 3 and not _is_cased(w) and not w.isdigit()})


def number_keys(text: str, limit: int = 3000) -> frozenset[str]:
    """Numbers of two or more digits, any script's digits mapped to ASCII."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text[:limit])) if not text.isascii() else text
    out = set()
    for raw in _NUMBER.findall(ascii_text):
        digits = raw.replace(",", ".")
        if len(digits.replace(".", "")) >= 2:
            out.add(digits)
    return frozenset(out)


def name_forms(text: str, is_rare: Callable[[str], bool] = lambda w: True,
               limit: int = 3000) -> dict[str, str]:
    """Each skeleton `name_keys` finds, with the first word that gave it: names to show, not to match."""
    text = unicodedata.normalize("NFKC", text[:limit])
    chosen = list(dict.fromkeys(m.group() for m in WORD.finditer(text)
                                if _candidate(m.group(), m.start(), text, is_rare)))
    variants: list[tuple[str, str]] = []  # (the word as written, the spelling reduced to a skeleton)
    for word in chosen:
        variants.append((word, word))
        variants += [(word, word[len(p):]) for p in _ARABIC_PREFIXES
                     if word.startswith(p) and len(word) - len(p) >= 3]
    if not variants:
        return {}
    forms: dict[str, str] = {}
    spelled = anyascii("\n".join(v for _, v in variants)).split("\n")
    for (surface, _), ascii_word in zip(variants, spelled, strict=True):
        key = skeleton(ascii_word)
        if len(key) >= _MIN_SKELETON:
            forms.setdefault(key, surface)
    return forms
