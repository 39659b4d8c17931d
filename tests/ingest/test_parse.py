from __future__ import annotations

from monitor.ingest.parse import entry_key, parse_feed
from tests.faults.feeds import item, rss

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><link href="https://a.example/"/>
<entry><id>urn:1</id><title>First</title><link href="/p/1"/><updated>2026-01-02T03:04:05Z</updated>
<summary type="html">&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;</summary></entry>
</feed>"""


def test_atom_entry_fields() -> None:
    parsed = parse_feed(ATOM, "https://a.example/feed.atom")
    (e,) = parsed.entries
    assert (e.title, e.url, e.guid, e.summary) == ("First", "https://a.example/p/1", "urn:1", "Hello & bye")
    assert e.published is not None and e.published.isoformat() == "2026-01-02T03:04:05+00:00"
    assert e.key == entry_key("urn:1", None, "", "")
    assert parsed.title == "Atom" and parsed.warning is None and parsed.is_feed


def test_key_prefers_guid_then_url_then_text() -> None:
    assert entry_key("g", "https://u", "t", "c") == entry_key("g", None, "other", "")
    assert entry_key(None, "https://u", "t", "c") == entry_key(None, "https://u", "x", "y")
    assert entry_key(None, None, "t", "c") != entry_key(None, None, "t", "d")


def test_keys_do_not_depend_on_the_feed_url() -> None:
    doc = rss([item(1), item(2)]).encode()
    one = parse_feed(doc, "https://old.example/feed")
    two = parse_feed(doc, "https://new.example/rss")
    assert [e.key for e in one.entries] == [e.key for e in two.entries]


def test_ttl_and_sy_update_period() -> None:
    assert parse_feed(rss(extra="<ttl>90</ttl>").encode(), "https://x/").ttl_seconds == 5400
    sy = rss(extra="<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>")
    sy = sy.replace('<rss version="2.0">',
                    '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">')
    assert parse_feed(sy.encode(), "https://x/").ttl_seconds == 21600


def test_huge_feed_keeps_the_newest_entries_whatever_the_order() -> None:
    items = [item(n) for n in range(3000)]  # oldest first
    parsed = parse_feed(rss(items).encode(), "https://x/", max_entries=100)
    assert len(parsed.entries) == 100 and parsed.total_entries == 3000
    assert {e.title for e in parsed.entries} == {f"Story {n}" for n in range(2900, 3000)}
    assert parsed.warning is not None and "kept the newest 100" in parsed.warning


def test_html_page_gives_resolved_alternates() -> None:
    page = (b'<html><head><base href="https://site.example/news/">'
            b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
            b'<link rel="alternate" type="application/rss+xml" href="//cdn.example/rss">'
            b'<link rel="stylesheet" href="x.css"></head></html>')
    parsed = parse_feed(page, "https://site.example/")
    assert parsed.alternates == ("https://site.example/news/atom.xml", "https://cdn.example/rss")
    assert not parsed.is_feed and parsed.entries == ()


def test_billion_laughs_is_defused_without_expansion() -> None:
    doc = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                     for p, c in zip("abcdefg", "bcdefgh", strict=True))
           + ']><rss version="2.0"><channel><title>&h;</title>' + item(1, title="x &h;") + "</channel></rss>")
    parsed = parse_feed(doc.encode(), "https://x/")
    assert parsed.warning is not None and "entit" in parsed.warning
    assert all(len(e.title) < 100 for e in parsed.entries) and len(parsed.title) < 100


def test_entity_declarations_are_removed_even_after_long_comments() -> None:
    padding = "<!-- " + "x" * 200_000 + " -->"
    doc = (f'<?xml version="1.0"?>{padding}<!DOCTYPE r [<!ENTITY big "{"A" * 1000}">]>'
           + '<rss version="2.0"><channel><title>t</title>'
           + "<item><title>&big;&big;&big;</title><guid>g1</guid></item></channel></rss>")
    parsed = parse_feed(doc.encode(), "https://x/")
    assert parsed.warning is not None and "entit" in parsed.warning
    assert all("AAAA" not in e.title for e in parsed.entries)
