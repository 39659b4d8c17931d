"""Feed decoding: the declared charset is a hint, the bytes decide, and a lie is reported."""

from __future__ import annotations

import codecs

from monitor.ingest.feed_charset import decode_document
from monitor.ingest.parse import parse_feed
from tests.faults.feeds import item, rss

TITLE = "It’s Café time"


def feed(encoding: str | None) -> str:
    return rss([item(1, title=TITLE)], encoding=encoding)


def test_utf8_body_declared_latin1_decodes_as_utf8_with_a_warning() -> None:
    text, warning = decode_document(feed("iso-8859-1").encode("utf-8"), None)
    assert TITLE in text
    assert warning == "declared charset iso-8859-1 does not match the body; decoded as utf-8"


def test_cp1252_body_declared_latin1_keeps_curly_quotes() -> None:
    text, warning = decode_document(feed("iso-8859-1").encode("cp1252"), None)
    assert TITLE in text and "\x92" not in text
    assert warning is None


def test_utf8_body_with_latin1_header_is_reported() -> None:
    text, warning = decode_document(feed(None).encode("utf-8"), "ISO-8859-1")
    assert TITLE in text
    assert warning == "Content-Type charset iso-8859-1 does not match the body; decoded as utf-8"


def test_ascii_body_under_any_label_is_quiet() -> None:
    text, warning = decode_document(rss(encoding="us-ascii").encode("ascii"), "iso-8859-1")
    assert "Test feed" in text and warning is None


def test_utf16_declaration_on_a_single_byte_body_is_ignored() -> None:
    # What .NET writers emit when they serialize to a string and the string is sent as UTF-8.
    body = feed("utf-16").encode("utf-8")
    for padded in (body, body + b"\n"):  # an even length decodes "strictly" as UTF-16 into CJK garbage
        text, warning = decode_document(padded, None)
        assert TITLE in text
        assert warning == "declared charset utf-16 does not match the body; decoded as utf-8"


def test_bomless_utf16_with_header_charset() -> None:
    body = f"<rss><channel><title>{TITLE}</title></channel></rss>".encode("utf-16-le")
    text, warning = decode_document(body, "utf-16")
    assert TITLE in text and warning is None


def test_utf32_bom() -> None:
    text, warning = decode_document(codecs.BOM_UTF32_LE + feed(None).encode("utf-32-le"), None)
    assert TITLE in text and warning is None


def test_gb2312_label_decodes_as_gb18030() -> None:
    title = "新闻 €"  # the euro sign is in GBK/GB18030 but not in GB2312
    text, warning = decode_document(rss([item(1, title=title)], encoding="gb2312").encode("gb18030"), None)
    assert title in text and warning is None


def test_invalid_cp1252_bytes_are_replaced_with_a_warning() -> None:
    text, warning = decode_document(feed("iso-8859-1").encode("cp1252") + b"\x81\xff", None)
    assert TITLE in text and "\ufffd" in text
    assert warning == "invalid cp1252 bytes were replaced"


def test_parse_feed_reports_the_mismatch() -> None:
    parsed = parse_feed(feed("iso-8859-1").encode("utf-8"), "https://news.example/feed")
    assert [e.title for e in parsed.entries] == [TITLE]
    assert parsed.warning is not None and "declared charset iso-8859-1 does not match" in parsed.warning
