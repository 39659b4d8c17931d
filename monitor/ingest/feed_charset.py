"""Turn feed bytes into clean UTF-8 before feedparser sees them, saying what was wrong.

Feeds lie about their encoding: a Content-Type charset that contradicts the body, no charset at
all, stray invalid bytes, UTF-16 with a BOM. We try, in order, the BOM, then the shared strict
candidates (monitor.net.charset_rules: UTF-8 first, then the XML declaration's and the HTTP charset), keep
the first that decodes strictly (else replace bad bytes), and rewrite the XML declaration to say utf-8
so the parser does not second-guess us.
"""

from __future__ import annotations

import re

from monitor.net.charset_rules import candidates, codec, is_wide, sniff_bom, strict

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']", re.IGNORECASE)


def _sniff(body: bytes) -> tuple[str | None, bytes]:
    bom, rest = sniff_bom(body)
    if bom:
        return bom, rest
    # XML lets UTF-16 go without a BOM: the declaration's own bytes give it away.
    if body[:4] == b"<\x00?\x00":
        return "utf-16-le", body
    if body[:4] == b"\x00<\x00?":
        return "utf-16-be", body
    return None, body


def _declared_label(body: bytes) -> str | None:
    match = _XML_DECL.match(body[:512])
    return match.group(1).decode("ascii").lower() if match else None


def _claims(body: bytes, header_charset: str | None) -> list[tuple[str, str, str]]:
    """(source, label, codec) for each known charset the document claims."""
    claims: list[tuple[str, str, str]] = []
    for source, label in (("declared", _declared_label(body)), ("Content-Type", header_charset)):
        name = codec(label)
        if label and name:
            claims.append((source, label.strip().lower(), name))
    return claims


def _plausible(name: str, body: bytes) -> bool:
    # XML forbids NUL, so only UTF-16/32 bodies start with NUL bytes: a wide claim without any is a lie
    # (typically a UTF-8 document declared utf-16 by a serializer that wrote it to a string first).
    return not is_wide(name) or b"\x00" in body[:4]


def decode_document(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """(text, warning): the decoded document and a sentence about any encoding trouble."""
    bom, rest = _sniff(body)
    if bom:
        try:
            return rest.decode(bom), None
        except UnicodeDecodeError:
            return rest.decode(bom, errors="replace"), f"invalid {bom} bytes were replaced"
    claims = _claims(body, header_charset)
    tried = [name for _, _, name in claims if _plausible(name, body)]
    for candidate in candidates(tried):
        text = strict(body, candidate)
        if text is not None:
            return text, _mismatch(claims, candidate, text)
    claimed = tried[0] if tried else None
    if claimed in (None, "utf-8"):
        # Mostly UTF-8 with a few bad bytes is far more common than unlabeled windows-1252.
        return body.decode("utf-8", errors="replace"), "invalid UTF-8 bytes were replaced"
    if claimed == "cp1252":
        return body.decode("cp1252", errors="replace"), "invalid cp1252 bytes were replaced"
    return body.decode("cp1252", errors="replace"), f"the body is not valid {claimed}; decoded as cp1252"


def _mismatch(claims: list[tuple[str, str, str]], candidate: str, text: str) -> str | None:
    for source, label, name in claims:
        if name != candidate and not _compatible(name, text):
            return f"{source} charset {label} does not match the body; decoded as {candidate}"
    return None


def _compatible(claimed: str, text: str) -> bool:
    # ASCII-only text decodes identically under any ASCII-compatible charset: nothing to warn about.
    return text.isascii() and not is_wide(claimed)


def to_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration (if any) says utf-8."""
    return _DECL_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
