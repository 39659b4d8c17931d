"""Word tokens for every script: Python's \\w alone splits Hindi and Arabic words at their vowel signs."""

from __future__ import annotations

import re
import unicodedata
import zlib

# \w plus combining marks (Latin diacritics, Arabic harakat, the Indic and Thai blocks whole).
WORD = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0dff\u0e00-\u0e7f]+")


def words(text: str) -> list[str]:
    """Casefolded, NFKC-normalised words."""
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def token_id(word: str) -> int:
    """A stable 32-bit id (the process-salted hash() would differ between runs)."""
    return zlib.crc32(word.encode("utf-8"))
