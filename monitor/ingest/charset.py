"""Turn feed bytes into clean UTF-8 before feedparser sees them, saying what was wrong.

Feeds lie about their encoding: a Content-Type charset that contradicts the body, no charset at
all, stray invalid bytes, UTF-16 with a BOM. We try, in order, the BOM, the XML declaration,
UTF-8 and the HTTP charset, keep the first that decodes strictly (else replace bad bytes), and rewrite the
XML declaration to say utf-8 so the parser does not second-guess us.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']", re.IGNORECASE)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _sniff_bom(body: bytes) -> tuple[str | None, bytes]:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, body[len(bom):]
    if body[:4] == b"<\x00?\x00":
        return "utf-16-le", body
    if body[:4] == b"\x00<\x00?":
        return "utf-16-be", body
    return None, body


def decode_document(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """(text, warning): the decoded document and a sentence about any encoding trouble."""
    bom, rest = _sniff_bom(body)
    if bom:
        try:
            return rest.decode(bom), None
        except UnicodeDecodeError:
            return rest.decode(bom, errors="replace"), f"invalid {bom} bytes were replaced"
    match = _XML_DECL.match(body[:512])
    declared = _known(match.group(1).decode("ascii")) if match else None
    header = _known(header_charset)
    claimed = declared or header
    for candidate in dict.fromkeys(c for c in (declared, "utf-8", header) if c):
        try:
            text = body.decode(candidate)
        except UnicodeDecodeError:
            continue
        for source, name in (("declared", declared), ("Content-Type", header)):
            if name and name != candidate and not _compatible(name, text):
                return text, f"{source} charset {name} does not match the body; decoded as {candidate}"
        return text, None
    if claimed in (None, "utf-8"):
        # Mostly UTF-8 with a few bad bytes is far more common than unlabeled windows-1252.
        return body.decode("utf-8", errors="replace"), "invalid UTF-8 bytes were replaced"
    return body.decode("cp1252", errors="replace"), f"the body is not valid {claimed}; decoded as cp1252"


def _compatible(claimed: str, text: str) -> bool:
    # ASCII-only text decodes identically under any ASCII-compatible charset: nothing to warn about.
    return text.isascii() and claimed not in ("utf-16", "utf-32")


def to_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration (if any) says utf-8."""
    return _DECL_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
