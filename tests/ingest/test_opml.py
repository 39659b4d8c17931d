from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import ConfigError
from monitor.ingest.opml import OpmlFeed, default_name, export_opml, parse_opml
from monitor.models import Feed

OPML = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline text="Wire" type="rss" xmlUrl="https://wire.example/rss" htmlUrl="https://wire.example/"/>
    <outline text="Arabic">
      <outline title="Jazeera" xmlUrl="https://aj.example/rss" category="/ar,breaking"/>
    </outline>
  </outline>
  <outline xmlUrl="https://bare.example/feed.xml"/>
  <outline text="Wire" xmlUrl="https://wire2.example/rss"/>
  <outline text="Not http" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_folders_become_tags_and_names_are_unique() -> None:
    assert parse_opml(OPML) == [
        OpmlFeed("Wire", "https://wire.example/rss", ("World",), "https://wire.example/"),
        OpmlFeed("Jazeera", "https://aj.example/rss", ("World", "Arabic", "ar", "breaking")),
        OpmlFeed("bare.example/feed.xml", "https://bare.example/feed.xml"),
        OpmlFeed("Wire (2)", "https://wire2.example/rss"),
    ]


def test_default_name_is_host_and_path_cut_at_200() -> None:
    assert default_name("https://news.example/feeds/world/?x=1") == "news.example/feeds/world"
    long_path = "https://news.example/" + "a" * 300
    assert default_name(long_path) == ("news.example/" + "a" * 300)[:200]
    assert default_name("urn:x") == "x" and default_name("///") == "///"


def test_export_round_trips() -> None:
    feeds = [Feed(1, "Wire & co", "https://wire.example/rss?a=1&b=2", ("en", "wire")),
             Feed(2, "Plain", "https://p.example/feed")]
    document = export_opml(feeds, title="t", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [(f.name, f.url, f.tags) for f in parse_opml(document.encode())] == [
        ("Wire & co", "https://wire.example/rss?a=1&b=2", ("en", "wire")),
        ("Plain", "https://p.example/feed", ()),
    ]


@pytest.mark.parametrize("data, message", [
    (b"<opml><body><outline", "not valid XML"),
    (b"<rss/>", "not an OPML document"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>', "entity declarations"),
])
def test_bad_files_name_the_file(data: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_opml(data, source="feeds.opml")
    assert info.value.file == "feeds.opml"
