"""Bytes of a fetched page -> text, robustly: a page with a wrong or missing charset still decodes.

Order of trust: a byte-order mark; strict UTF-8 (a body that is valid UTF-8 and not pure ASCII is
practically never meant as anything else, while servers often default their header to ISO-8859-1); the
Content-Type header's charset; the page's own `<meta charset>` (or http-equiv); statistical detection
(charset-normalizer); UTF-8 with replacement characters. A declared charset that fails to decode
strictly is skipped, since servers and templates often lie.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels that browsers map to a superset (WHATWG encoding standard).
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030", "x-sjis": "shift_jis"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in its head (first 4 KB), if any."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _strict(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes, header_charset: str | None = None) -> str:
    """Decode an HTML body; never raises."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    declared = [_codec(label) for label in (header_charset, meta_charset(body))]
    if not any(codec and codec.startswith(("utf-16", "utf-32")) for codec in declared):
        text = _strict(body, "utf-8")
        if text is not None:
            return text
    for codec in declared:
        text = _strict(body, codec)
        if text is not None:
            return text
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")
