"""Thirty-odd ways a feed server goes wrong, each with what the feed's state must say afterwards.

Every behaviour is served at /bad next to a healthy /good feed on the same server; the test runs
one real polling cycle and checks both.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from functools import cache

import brotli

from tests.faults.feeds import item, rss, rss_bytes
from tests.faults.server import Request, Route, drip

SERVER_DATE = "Thu, 01 Jan 2026 00:00:00 GMT"


@dataclass(frozen=True)
class Behaviour:
    name: str
    route: Route
    error: str | None = None  # substring of last_error (None: no error expected)
    warning: str | None = None  # substring of warning
    disabled: str | None = None  # substring of disabled_reason
    entries: int | None = None  # entries stored for the bad feed
    min_delay_hours: float | None = None  # next check at least this far ahead
    titles_include: tuple[str, ...] = field(default=())
    url_endswith: str = "/bad"  # where the stored URL points afterwards


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=6)


@cache
def brotli_bomb() -> bytes:
    return brotli.compress(b"\0" * (64 * 1024 * 1024), quality=5)


def _ok(body: bytes, content_type: str = "application/rss+xml; charset=utf-8", **headers: str) -> Route:
    return lambda r: r.respond(200, body, headers, content_type=content_type)


def _status(status: int, **headers: str) -> Route:
    return lambda r: r.respond(status, b"<html>nope</html>", headers, content_type="text/html")


def _redirect(status: int, location: str) -> Route:
    return lambda r: r.respond(status, b"", {"Location": location}, content_type=None)


def _no_location(status: int) -> Route:
    return lambda r: r.respond(status, b"", content_type=None)


def _endless(r: Request) -> None:
    n = int(r.path.rsplit("=", 1)[1]) if "=" in r.path else 0
    r.respond(302, b"", {"Location": f"/bad?hop={n + 1}"}, content_type=None)


def _loop(r: Request) -> None:
    r.respond(302, b"", {"Location": "/bad" if "?" in r.path else "/bad?again"}, content_type=None)


def _truncated(r: Request) -> None:
    body = rss_bytes(40)
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body[: len(body) // 2])


def _short_length(r: Request) -> None:
    body = rss_bytes(40)
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            + f"Content-Length: {len(body) // 2}\r\nConnection: close\r\n\r\n".encode() + body)


def _drip(r: Request) -> None:
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n")
    drip(r, rss_bytes(30), every=0.4)


def _stall(r: Request) -> None:
    r.wait(30)


def _stall_body(r: Request) -> None:
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 900\r\n\r\n<?xml")
    r.wait(30)


def _reset(r: Request) -> None:
    r.reset()


def _junk(r: Request) -> None:
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 10485760\r\n\r\n")
    chunk = os.urandom(65536)
    for _ in range(160):
        r.write(chunk)


def _endless_chunks(r: Request) -> None:
    r.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"<item>" * 10000
    for _ in range(10000):
        r.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def _etag_304(r: Request) -> None:
    r.respond(304, b"", content_type=None)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title>' + item(1, title="Laughs &lol9;") + item(2)
    + "</channel></rss>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<rss version="2.0"><channel><title>x</title><item><title>leak &xxe;</title><guid>x1</guid></item>'
    + item(2) + "</channel></rss>"
)
MALFORMED = rss([item(1), item(2), "<item><title>Broken & unescaped <b>bold</title></item>", item(3)])
NO_FIELDS = rss([
    '<item><description>Only a description</description></item>',
    '<item><guid isPermaLink="false">only-guid</guid></item>',
    '<item><link>https://news.example/only-link</link></item>',
    '<item><title>Only a title</title></item>',
])
DUPLICATES = rss([item(1), item(2), item(3, guid="story-1"), item(4, guid="story-2")])
CYRILLIC = rss([item(1, title="Новости дня"), item(2, title="Ещё новости")])
HTML_WITH_FEED = (b'<!DOCTYPE html><html><head><title>News</title>'
                  b'<link rel="alternate" type="application/rss+xml" href="/good">'
                  b"</head><body>hi</body></html>")
HTML_WITHOUT_FEED = b"<!DOCTYPE html><html><head><title>News</title></head><body>No feed here</body></html>"
HUGE_LINE = rss([item(1, description="x" * 3_000_000), item(2)]).replace("\n", "").encode()


def _huge_feed() -> bytes:
    items = "".join(f'<item><title>t{n}</title><guid>g{n}</guid></item>' for n in range(50_000))
    doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>{items}</channel></rss>'
    return doc.encode()


HUGE_FEED = _huge_feed()


BEHAVIOURS: list[Behaviour] = [
    Behaviour("malformed_xml", _ok(MALFORMED.encode()), warning="malformed XML", entries=4),
    Behaviour("truncated_body", _truncated, error="truncated body"),
    Behaviour("content_length_lie_short", _short_length, warning="malformed XML"),
    Behaviour("wrong_charset_header", _ok(CYRILLIC.encode(), "application/rss+xml; charset=iso-8859-1"),
              warning="does not match", entries=2, titles_include=("Новости дня",)),
    Behaviour("missing_charset", _ok(rss([item(1, title="Café crème")], encoding=None).encode(),
                                     "application/rss+xml"), entries=1, titles_include=("Café crème",)),
    Behaviour("html_with_alternate", _ok(HTML_WITH_FEED, "text/html"),
              error="HTML page that links to 1 feed(s): http://127.0.0.1"),
    Behaviour("html_without_alternate", _ok(HTML_WITHOUT_FEED, "text/html"), error="HTML page without feed"),
    Behaviour("ten_mb_junk", _junk, error="body exceeds"),
    Behaviour("endless_chunked_body", _endless_chunks, error="body exceeds"),
    Behaviour("gzip_bomb", lambda r: _ok(gzip_bomb(), **{"Content-Encoding": "gzip"})(r),
              error="body exceeds"),
    Behaviour("brotli_bomb", lambda r: _ok(brotli_bomb(), **{"Content-Encoding": "br"})(r),
              error="body exceeds"),
    Behaviour("corrupt_gzip", _ok(b"\x1f\x8b\x08\x00garbage-not-gzip" * 10, **{"Content-Encoding": "gzip"}),
              error="bad gzip data"),
    Behaviour("unsupported_encoding", _ok(b"xx", **{"Content-Encoding": "compress"}),
              error="unsupported content-encoding"),
    Behaviour("endless_redirects", _endless, error="too many redirects (6)"),
    Behaviour("redirect_loop", _loop, error="redirect loop"),
    Behaviour("redirect_to_file_url", _redirect(302, "file:///etc/passwd"), error="non-HTTP URL"),
    Behaviour("slow_drip", _drip, error="timed out after 3 s (total deadline)"),
    Behaviour("stalled_connection", _stall, error="timed out after 1 s (read)"),
    Behaviour("stalled_body", _stall_body, error="timed out after 1 s (read)"),
    Behaviour("connection_reset", _reset, error="connection reset"),
    Behaviour("http_404", _status(404), error="HTTP 404 Not Found"),
    Behaviour("http_410", _status(410), error="HTTP 410 Gone", disabled="HTTP 410 Gone"),
    Behaviour("http_429_retry_after", _status(429, **{"Retry-After": "7200"}), error="HTTP 429",
              min_delay_hours=2),
    Behaviour("http_500", _status(500), error="HTTP 500 Internal Server Error"),
    Behaviour("http_503_retry_after_date",
              _status(503, Date=SERVER_DATE, **{"Retry-After": "Thu, 01 Jan 2026 03:00:00 GMT"}),
              error="HTTP 503", min_delay_hours=3),
    Behaviour("empty_200", _ok(b""), error="empty response body"),
    Behaviour("plain_text_200", _ok(b"hello, this is not a feed", "text/plain"), error="not a feed"),
    Behaviour("billion_laughs", _ok(BILLION_LAUGHS.encode()), warning="entity", entries=2),
    Behaviour("xxe_external_entity", _ok(XXE.encode()), warning="entity", entries=2),
    Behaviour("fifty_thousand_entries", _ok(HUGE_FEED), warning="kept the newest 500", entries=500),
    Behaviour("redirect_to_private_10", _redirect(302, "http://10.0.0.1/feed"),
              error="blocked: 10.0.0.1 is a private address"),
    Behaviour("redirect_to_metadata_service", _redirect(307, "http://169.254.169.254/latest/meta-data/"),
              error="blocked: 169.254.169.254 is a link-local address"),
    Behaviour("wrong_content_type", _ok(rss_bytes(3), "application/octet-stream"), entries=3),
    Behaviour("entries_without_dates_links_titles", _ok(NO_FIELDS.encode()), entries=4),
    Behaviour("duplicate_guids", _ok(DUPLICATES.encode()), warning="2 duplicate entries collapsed",
              entries=2),
    Behaviour("invalid_utf8_bytes", _ok(rss([item(1, title="Caf\udce9 au lait"), item(2)])
                                        .encode("utf-8", "surrogateescape")),
              warning="invalid UTF-8 bytes were replaced", entries=2),
    Behaviour("utf16_with_bom", _ok(rss([item(1, title="Überschrift")], encoding="UTF-16").encode("utf-16"),
                                    "application/rss+xml"), entries=1, titles_include=("Überschrift",)),
    Behaviour("huge_single_line", _ok(HUGE_LINE), entries=2),
    # A 304 to the very first request (no ETag or Last-Modified sent) is no success: we never had the feed.
    Behaviour("not_modified_without_validators", _etag_304, entries=0,
              error="HTTP 304 Not Modified to a request without validators"),
    Behaviour("redirect_301_without_location", _no_location(301),
              error="HTTP 301 Moved Permanently without a Location header"),
    Behaviour("redirect_302_with_empty_location", _redirect(302, ""),
              error="HTTP 302 Found without a Location header"),
    Behaviour("redirect_307_with_blank_location", _redirect(307, "   "),
              error="HTTP 307 Temporary Redirect without a Location header"),
    Behaviour("moved_permanently_301", _redirect(301, "/good?moved"), warning="moved permanently to http://",
              entries=3, url_endswith="/good?moved"),
    Behaviour("moved_permanently_308", _redirect(308, "/good?moved"), warning="moved permanently",
              entries=3, url_endswith="/good?moved"),
    Behaviour("temporary_redirect_302_keeps_url", _redirect(302, "/good?temp"), entries=3),
]
