"""Bytes of a fetched page -> text, robustly: a page with a wrong or missing charset still decodes.

Order of trust: a byte-order mark; strict UTF-8 (unless a UTF-16/32 charset is declared); the
Content-Type header's charset; the page's own `<meta charset>` (or http-equiv); statistical detection
(charset-normalizer); UTF-8 with replacement characters. A declared charset that fails to decode
strictly is skipped, since servers and templates often lie. The shared rules live in
monitor.net.charset_rules.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from monitor.net.charset_rules import candidates, codec, sniff_bom, strict

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in its head (first 4 KB), if any."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def decode_body(body: bytes, header_charset: str | None = None) -> str:
    """Decode an HTML body; never raises."""
    bom, rest = sniff_bom(body)
    if bom:
        return rest.decode(bom, errors="replace")
    for name in candidates(codec(label) for label in (header_charset, meta_charset(body))):
        text = strict(body, name)
        if text is not None:
            return text
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")
