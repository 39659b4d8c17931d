"""Text normalisation and tokenisation for matching watchlist terms, in any script.

The same two steps run on query terms and on articles, so whatever one side folds the other folds too:

- `normalize`: NFKC + casefold; accents off Latin/Greek/Cyrillic letters (é -> e) but Devanagari
  vowel signs kept (they are letters there); Arabic harakat, tatweel, superscript alef and hamza
  carriers folded (أ إ آ ٱ -> ا, ى -> ي, ة -> ه, ؤ -> و, ئ -> ي); Devanagari nukta dropped
  (ज़ and U+095B -> ज).
- `tokenize`: word runs that keep combining marks inside the word (Python's `\\w` splits Devanagari
  and Arabic words at their marks), every Han/Kana/Hangul character a token of its own so a CJK term
  (matched as a phrase of characters) is found inside running text.

Arabic words carry clitic prefixes (و ف ب ل ك and the article ال); `arabic_stems` lists the forms a
word may be looked up under, so `داعش` finds `لداعش` and `باغوز` finds `والباغوز`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Marks removed after canonical decomposition: Latin/Greek/Cyrillic accents, Arabic harakat, tanween,
# shadda, sukun, madda and hamza above/below (so أ إ آ ؤ ئ fold onto their carrier), superscript alef,
# Quranic annotation signs, tatweel, the nukta of Devanagari, Bengali, Gurmukhi and Gujarati, and
# invisible joiners, direction marks and soft hyphens.
_DELETE = [*range(0x0300, 0x0370), *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, 0x0640,
           *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9), *range(0x06EA, 0x06EE),
           0x093C, 0x09BC, 0x0A3C, 0x0ABC, 0x200C, 0x200D, 0x200E, 0x200F, 0x00AD]
_FOLD = {0x0671: "ا", 0x0672: "ا", 0x0673: "ا", 0x0675: "ا", 0x0649: "ي", 0x06CC: "ي", 0x06D2: "ي",
         0x0629: "ه", 0x06C0: "ه", 0x06C1: "ه", 0x06A9: "ك", 0x0624: "و", 0x0626: "ي",
         0x0901: "\u0902"}  # Devanagari chandrabindu -> anusvara: both spellings are common (आँख, आंख)
_TABLE: dict[int, str | None] = {cp: None for cp in _DELETE} | _FOLD

_CJK = ("\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")


def _mark_ranges() -> str:
    """Every combining mark (Mn, Mc, Me) in the BMP plus ZWNJ/ZWJ and the soft hyphen (all may sit
    inside a word), as a regex class body."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0xAD, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M") or cp in (0xAD, 0x200C, 0x200D):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


_MARKS = _mark_ranges()
_WORD = re.compile(f"[\\w{_MARKS}]+")
_WORD_CJK = re.compile(f"[{_CJK}]|(?:(?![{_CJK}])[\\w{_MARKS}])+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_ARABIC_START = "\u0600"
_ARABIC_END = "\u06ff"

# Clitic prefixes, longest first; a stem must keep at least two letters.
_ARABIC_PREFIXES = ("وبال", "وكال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_CLITIC_FIRST = frozenset(p[0] for p in _ARABIC_PREFIXES)
_ARTICLE_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


@dataclass(frozen=True, slots=True)
class Token:
    norm: str  # normalised form
    start: int  # span in the original text
    end: int


def normalize(text: str) -> str:
    """Fold `text` for matching (see the module docstring). Punctuation and spaces are kept."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text).translate(_TABLE)
    return unicodedata.normalize("NFC", text)


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` with their original spans; normalised in one pass over the whole text."""
    pattern = _WORD_CJK if _HAS_CJK.search(text) else _WORD
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not spans:
        return []
    # One normalisation call for all tokens: newline never appears inside a token and no
    # normalisation step creates or removes one, so the split lines up with the spans.
    norms = normalize("\n".join(text[a:b] for a, b in spans)).split("\n")
    if len(norms) != len(spans):  # defensive: fall back to token by token
        norms = [normalize(text[a:b]) for a, b in spans]
    return [Token(n, a, b) for n, (a, b) in zip(norms, spans, strict=True) if n]


def terms_of(text: str) -> list[str]:
    """The normalised tokens of a query term or phrase."""
    return [t.norm for t in tokenize(text)]


def is_arabic(token: str) -> bool:
    return _ARABIC_START <= token[0] <= _ARABIC_END


def arabic_stems(token: str) -> list[str]:
    """Forms of an Arabic word with its clitic prefixes removed (the word itself not included)."""
    stems: list[str] = []
    if token[0] not in _CLITIC_FIRST:
        return stems
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            stems.append(token[len(prefix):])
    return stems


def arabic_term_key(token: str) -> str:
    """The lookup key of an Arabic query word: without its article, so `الباغوز` also finds `باغوز`.

    Only the article is removed here (single-letter clitics are too often part of the word itself);
    the article-free stems of text words are indexed, so both sides meet at the bare stem.
    """
    for prefix in _ARTICLE_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:  # الله must not become له
            return token[len(prefix):]
    return token
