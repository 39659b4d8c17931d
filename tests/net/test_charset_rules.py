from __future__ import annotations

import codecs

from monitor.net.charset_rules import candidates, codec, sniff_bom, strict


def test_legacy_labels_map_to_their_whatwg_supersets() -> None:
    for label in ("iso-8859-1", "ISO_8859-1", "latin1", "l1", "ascii", "US-ASCII", "windows-1252"):
        assert codec(label) == "cp1252", label
    assert codec("gb2312") == codec("GBK") == "gb18030"
    assert codec("x-sjis") == "shift_jis"
    assert codec(' "koi8-r" ') == "koi8-r"
    assert codec("x-no-such-charset") is None and codec(None) is None and codec("") is None


def test_bom_sniffing_tells_utf32_from_utf16() -> None:
    assert sniff_bom(codecs.BOM_UTF32_LE + b"x") == ("utf-32-le", b"x")
    assert sniff_bom(codecs.BOM_UTF32_BE + b"x") == ("utf-32-be", b"x")
    assert sniff_bom(codecs.BOM_UTF16_LE + b"x") == ("utf-16-le", b"x")
    assert sniff_bom(codecs.BOM_UTF16_BE + b"x") == ("utf-16-be", b"x")
    assert sniff_bom(codecs.BOM_UTF8 + b"x") == ("utf-8", b"x")
    assert sniff_bom(b"<rss>") == (None, b"<rss>")


def test_utf8_first_unless_a_wide_charset_is_declared() -> None:
    assert candidates(["cp1252", None, "utf-8"]) == ["utf-8", "cp1252"]
    assert candidates([None, None]) == ["utf-8"]
    assert candidates(["utf-16", "cp1252"]) == ["utf-16", "cp1252"]
    assert candidates(["cp1252", "utf-32-le"]) == ["cp1252", "utf-32-le"]


def test_strict_decode_refuses_bad_bytes() -> None:
    assert strict("It’s".encode(), "utf-8") == "It’s"
    assert strict(b"It\x92s", "utf-8") is None
    assert strict(b"It\x92s", "cp1252") == "It’s"
    assert strict(b"x", "no-such-codec") is None and strict(b"x", None) is None
