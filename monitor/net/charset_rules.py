"""Charset rules shared by the feed and page decoders, so both read a mislabelled body the same way.

Browsers treat the common legacy labels as their supersets (WHATWG encoding standard): a page or feed
labelled ISO-8859-1 is really windows-1252 in practice. Strict UTF-8 is tried before any declared
charset because a body that is valid UTF-8 and not pure ASCII is practically never meant as anything
else, while servers and templates often default their label to ISO-8859-1. The exception is a declared
UTF-16/32 charset, whose bodies can happen to be valid UTF-8 (ASCII-range code units).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

# Keyed by Python's canonical codec name, so every spelling Python knows (latin1, l1, iso_8859-1) maps.
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030"}
# WHATWG labels Python does not know at all.
_LABELS = {"x-sjis": "shift_jis"}
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def codec(label: str | None) -> str | None:
    """Python codec name for a charset label, after the WHATWG superset mapping; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def is_wide(name: str | None) -> bool:
    """True for UTF-16/32 codecs, whose bytes are not ASCII-compatible."""
    return name is not None and name.startswith(("utf-16", "utf-32"))


def sniff_bom(body: bytes) -> tuple[str | None, bytes]:
    """(codec, body without the BOM) if the body starts with a byte-order mark, else (None, body)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, body[len(bom):]
    return None, body


def candidates(declared: Iterable[str | None]) -> list[str]:
    """Codecs to try strictly, in order: UTF-8 unless a UTF-16/32 codec is declared, then the declared."""
    names = [name for name in declared if name]
    first = [] if any(is_wide(name) for name in names) else ["utf-8"]
    return list(dict.fromkeys(first + names))


def strict(body: bytes, name: str | None) -> str | None:
    """The body decoded with `name`, or None if it does not decode cleanly."""
    if name is None:
        return None
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None
