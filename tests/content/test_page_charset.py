from __future__ import annotations

import codecs

from monitor.content.page_charset import decode_body, meta_charset

ARABIC = "تعرض آخر جيب لتنظيم داعش في شرق سوريا للقصف بضربات جوية ومدفعية"
RUSSIAN = "Курс евро заметно снизился в первый торговый день нового года"


def page(charset_meta: str, text: str) -> str:
    return (f'<html><head><meta charset="{charset_meta}"><title>t</title></head>'
            f"<body><p>{text}</p></body></html>")


def test_utf8_whatever_the_header_says() -> None:
    body = page("utf-8", ARABIC).encode("utf-8")
    assert ARABIC in decode_body(body, "iso-8859-1")
    assert ARABIC in decode_body(body, None)


def test_meta_charset_when_header_has_none() -> None:
    body = page("windows-1256", ARABIC).encode("cp1256")
    assert meta_charset(body) == "windows-1256"
    assert ARABIC in decode_body(body, None)


def test_header_charset_wins_over_detection() -> None:
    body = f"<html><body><p>{RUSSIAN}</p></body></html>".encode("koi8-r")
    assert RUSSIAN in decode_body(body, "koi8-r")


def test_detection_without_any_declaration() -> None:
    body = f"<html><body><p>{RUSSIAN}. {RUSSIAN}.</p></body></html>".encode("cp1251")
    assert RUSSIAN in decode_body(body, None)


def test_wrong_or_unknown_declarations_do_not_crash() -> None:
    body = page("x-no-such-charset", RUSSIAN).encode("cp1251")
    assert RUSSIAN in decode_body(body, "also-bogus")


def test_bom_wins() -> None:
    body = codecs.BOM_UTF16_LE + page("utf-8", ARABIC).encode("utf-16-le")
    assert ARABIC in decode_body(body, "iso-8859-1")


def test_garbage_bytes_decode_with_replacements() -> None:
    text = decode_body(bytes(range(256)) * 4, "utf-8")
    assert isinstance(text, str) and text


def test_latin1_label_means_windows_1252() -> None:
    body = page("iso-8859-1", "It’s “quoted”").encode("cp1252")
    assert "It’s “quoted”" in decode_body(body, "latin1")
    assert "It’s “quoted”" in decode_body(body, None)


def test_utf32_bom_is_not_taken_for_utf16() -> None:
    body = codecs.BOM_UTF32_LE + page("utf-8", ARABIC).encode("utf-32-le")
    assert ARABIC in decode_body(body, None)
