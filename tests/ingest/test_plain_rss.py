"""The plain RSS reader gives what feedparser gives: the same ParsedFeed, on generated feeds that mix
every field it reads with the elements it may ignore (and, where it must hand over, it does)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.ingest import plain_rss
from monitor.ingest.feed_charset import to_utf8_xml
from monitor.ingest.parse import ParsedFeed, parse_feed
from monitor.ingest.plain_rss import read_plain_rss

NAMESPACES = ('xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" '
              'xmlns:atom="http://www.w3.org/2005/Atom" '
              'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
              'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:foo="urn:example:foo" '
              'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')
FEED_URL = "https://news.example/section/feed.xml"

# Text as feeds carry it: markup escaped or not, entities, cp1252 code points, mis-decoded UTF-8
# ("CafÃ©"), other scripts, and the whitespace feedparser strips.
PIECES = st.sampled_from(["Story", " ", "  \n\t", "&", "<b>", "</b>", "&amp;", "&lt;p&gt;", '"', "'",
                          "é", "Ã©", "\x80", "\x93", "\x9f", "中文", "😀", "a;b", "«»", "Ü"])
TEXT = st.lists(PIECES, max_size=6).map("".join)
LINKS = st.sampled_from(["https://news.example/a/1", " https://news.example/a/2 ", "/relative/3",
                         "relative/4", "http:///triple/5", "https://news.example/q?x=1&y=2",
                         "https://news.example/q?x=1&amp;y=2", "https://news.example/q?a=1&b;=2", "",
                         "urn:uuid:6", "HTTPS://NEWS.EXAMPLE/7"])
DATES = st.sampled_from(["Mon, 01 Dec 2025 08:00:00 GMT", "Mon, 01 Dec 2025 08:00:00 +0200",
                         "2025-12-01T08:00:00Z", "2025-12-01", "not a date", "",
                         " Tue, 2 Dec 2025 1:02:03 EST ", "01 Dec 2025 08:00 PST"])


@st.composite
def text_element(draw: st.DrawFn, tag: str, values: st.SearchStrategy[str] = TEXT) -> str:
    value = draw(values)
    if draw(st.booleans()) and "]]>" not in value:
        return f"<{tag}><![CDATA[{value}]]></{tag}>"
    return f"<{tag}>{escape(value)}</{tag}>"


def guid() -> st.SearchStrategy[str]:
    permalink = st.sampled_from(["", ' isPermaLink="true"', ' isPermaLink="false"', ' isPermaLink="True"',
                                 ' ispermalink="false"'])
    return st.tuples(permalink, st.one_of(LINKS, TEXT)).map(lambda p: f"<guid{p[0]}>{escape(p[1])}</guid>")


IGNORED_IN_ITEMS = ["<category>World</category>", "<author>a@news.example (A)</author>",
                    '<enclosure url="https://news.example/e.mp3" length="1" type="audio/mpeg"/>',
                    "<dc:creator>Someone</dc:creator>", '<media:content url="https://news.example/i.jpg"/>',
                    '<media:thumbnail url="https://news.example/t.jpg"/>', "<comments>/c/1</comments>",
                    '<source url="https://other.example/rss">Other</source>',
                    "<slash:comments>4</slash:comments>",
                    '<foo:bar x="1">kept aside</foo:bar>', "<foo:plain>text</foo:plain>",
                    '<atom:link rel="replies" href="https://news.example/r"/>']
# Elements that give feedparser's result a meaning the plain reader does not take on: it hands over.
HANDED_OVER_IN_ITEMS = ["<media:title>Other title</media:title>",
                        "<itunes:summary>Other summary</itunes:summary>",
                        '<atom:link href="https://news.example/alt"/>',
                        "<media:description>D</media:description>",
                        "<pubDate>Mon, 01 Dec 2025 08:00:00 GMT</pubDate><pubDate>2025-12-02</pubDate>",
                        "<description>a <b>bold</b> move</description>",
                        '<description type="text/plain">typed</description>', "<!-- a comment -->",
                        "<foo:wrap><title>nested</title></foo:wrap>", '<link href="https://news.example/h"/>',
                        "<created>2025-12-01</created>"]


@st.composite
def item(draw: st.DrawFn, *, plain: bool) -> str:
    parts = []
    fields = {
        "title": text_element("title"), "link": text_element("link", LINKS), "guid": guid(),
        "description": text_element("description"), "content": text_element("content:encoded"),
        "pubDate": text_element("pubDate", DATES), "dc:date": text_element("dc:date", DATES),
    }
    for name in draw(st.lists(st.sampled_from(sorted(fields)), unique=True)):
        parts.append(draw(fields[name]))
    parts += draw(st.lists(st.sampled_from(IGNORED_IN_ITEMS), max_size=3))
    if not plain:
        parts.append(draw(st.sampled_from(HANDED_OVER_IN_ITEMS)))
    return "<item>" + "".join(draw(st.permutations(parts))) + "</item>"


CHANNEL_OPTIONS = {
    "ttl": ["<ttl>90</ttl>", "<ttl> 30 </ttl>", "<ttl>soon</ttl>", '<ttl unit="min">5</ttl>'],
    "period": ["<sy:updatePeriod>daily</sy:updatePeriod>", "<sy:updatePeriod> Hourly </sy:updatePeriod>"],
    "frequency": ["<sy:updateFrequency>4</sy:updateFrequency>", "<sy:updateFrequency>x</sy:updateFrequency>"],
    "language": ["<language>en</language>"],
    "built": ["<lastBuildDate>Mon, 01 Dec 2025 08:00:00 GMT</lastBuildDate>"],
    "generator": ["<generator>gen</generator>"], "category": ["<category>News</category>"],
    "self": ['<atom:link href="https://news.example/feed.xml" rel="self" type="application/rss+xml"/>'],
    "image": ["<image><url>https://news.example/l.png</url><title>Logo</title><link>/</link></image>"],
    "unknown": ["<foo:channelthing>x</foo:channelthing>"],
}


@st.composite
def channel_head(draw: st.DrawFn) -> str:
    parts = [draw(text_element(tag, LINKS if tag == "link" else TEXT))
             for tag in ("title", "link", "description") if draw(st.booleans())]
    for name in draw(st.lists(st.sampled_from(sorted(CHANNEL_OPTIONS)), unique=True, max_size=5)):
        parts.append(draw(st.sampled_from(CHANNEL_OPTIONS[name])))
    return "".join(draw(st.permutations(parts)))


def document(head: str, items: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {NAMESPACES}><channel>{head}'
            f'{"".join(items)}</channel></rss>').encode()


def by_feedparser(body: bytes, monkeypatch: pytest.MonkeyPatch) -> ParsedFeed:
    with monkeypatch.context() as patched:
        patched.setattr(plain_rss, "read_plain_rss", lambda xml: None)
        return parse_feed(body, FEED_URL)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(head=channel_head(), items=st.lists(item(plain=True), max_size=4))
def test_plain_feeds_read_as_feedparser_reads_them(head: str, items: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    body = document(head, items)
    assert read_plain_rss(to_utf8_xml(body.decode())) is not None  # the plain reader did read it
    assert parse_feed(body, FEED_URL) == by_feedparser(body, monkeypatch)


@SETTINGS
@given(head=channel_head(), plain=st.lists(item(plain=True), max_size=2), other=item(plain=False))
def test_anything_else_is_handed_to_feedparser(head: str, plain: list[str], other: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    body = document(head, [*plain, other])
    assert read_plain_rss(to_utf8_xml(body.decode())) is None
    assert parse_feed(body, FEED_URL) == by_feedparser(body, monkeypatch)


@pytest.mark.parametrize("document_text", [
    '<rss version="0.91"><channel><title>t</title><item><title>x</title></item></channel></rss>',
    '<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><item><title>x</title></item>'
    '</channel></rss>',
    '<rss version="2.0"><channel xml:base="https://base.example/"><item><link>/a</link></item></channel></rss>',
    '<rss version="2.0"><channel><item lastmod="2025-12-01"><title>x</title></item></channel></rss>',
    '<rss version="2.0"><channel><textInput><title>q</title></textInput></channel></rss>',
    '<rss version="2.0"><channel><image><url>u</url><foo>x</foo><title>Logo</title></image>'
    '<title>t</title></channel></rss>',
    '<rss version="2.0" xmlns:c="http://purl.org/rss/1.0/modules/content/"><channel><item>'
    '<c:encoded>x</c:encoded></item></channel></rss>',
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>atom</title></feed>',
    '<rss version="2.0"><channel><item><title>broken</item></channel></rss>',
])
def test_other_documents_go_to_feedparser(document_text: str) -> None:
    assert read_plain_rss(document_text.encode()) is None
