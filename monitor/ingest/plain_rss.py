"""Plain RSS 2.0 read with lxml, for the documents where that gives exactly what feedparser gives.

feedparser costs about 0.2 ms per item: most of a cold polling cycle. Most feeds are plain RSS 2.0
(an `rss` root, one `channel`, items of title, link, guid, description, content:encoded, pubDate and
elements nobody reads). For those, `read_plain_rss` reads the fields parse.py uses the way feedparser
does: the same clean-up of text (stripped, mis-decoded UTF-8 repaired, cp1252 code points mapped),
the same link fix-ups, the same precedence (a guid that is a permalink is the link only without a
<link>; the summary is the description, else content:encoded) and feedparser's own date parser.

Anything else gives None and feedparser reads the document: another format, broken XML, xml:base,
markup inside a field, a field twice, or any element feedparser gives a meaning not listed here
(media:title, itunes:summary, an alternate atom:link...). tests/ingest/test_plain_rss.py holds both
readers to the same output on generated feeds.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from lxml import etree

from monitor.libxml2_lock import one_thread_in_libxml2

# feedparser's prefix for each namespace it knows ('' for RSS and Atom); other namespaces keep theirs.
_PREFIXES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_KNOWN_PREFIXES = frozenset(_PREFIXES.values()) - {""}
# Elements feedparser has a handler for (named as its methods are: prefix_localname, lower case).
_HANDLED = {name.split("_", 2)[2].lower() for name in dir(StrictFeedParser)
            if name.startswith(("_start_", "_end_")) and name.count("_") >= 2}
_ITEM_FIELDS = frozenset({"title", "link", "guid", "description", "content_encoded", "pubdate", "dc_date"})
_ITEM_IGNORED = frozenset({"category", "author", "comments", "enclosure", "dc_creator", "media_content",
                           "media_thumbnail", "source"})
_CHANNEL_FIELDS = frozenset({"title", "link", "ttl", "sy_updateperiod", "sy_updatefrequency"})
_CHANNEL_IGNORED = frozenset({"description", "language", "copyright", "pubdate", "lastbuilddate", "generator",
                              "category", "managingeditor", "webmaster", "docs", "cloud"})
_IMAGE_PARTS = frozenset({"url", "title", "link", "width", "height", "description"})
_URI_FIXER = re.compile("^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")  # feedparser.urls._urifixer
_UNESCAPED_QUERY = re.compile("&([A-Za-z0-9_]+);")
_BASES = ("base", "{http://www.w3.org/XML/1998/namespace}base")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _NotPlain(Exception):
    """The document needs feedparser."""


@one_thread_in_libxml2
def read_plain_rss(xml: bytes) -> dict[str, Any] | None:
    """feedparser's result for the fields parse.py reads (`feed`, `entries`, `version`, `bozo`), or None
    when the document is not plain RSS 2.0 in the sense above."""
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        return None
    try:
        channel = _channel_of(root)
        feed, items = _read_channel(channel)
        return {"version": "rss20", "bozo": 0, "feed": feed, "entries": [_read_item(item) for item in items]}
    except _NotPlain:
        return None


def _channel_of(root: Any) -> Any:
    if root.tag != "rss" or root.get("version") != "2.0" or None in root.nsmap or len(root) != 1:
        raise _NotPlain
    for prefix, uri in root.nsmap.items():  # feedparser maps prefixes to its own: they must not collide
        known = _PREFIXES.get(uri.lower(), prefix)
        if known != prefix and (known or prefix in _KNOWN_PREFIXES):
            raise _NotPlain
    channel = root[0]
    if _name(channel) != "channel" or channel.attrib:
        raise _NotPlain
    for element in root.iter():
        if not isinstance(element.tag, str) or any(key in element.attrib for key in _BASES):
            raise _NotPlain  # comments, processing instructions, xml:base: left to feedparser
        if element.nsmap != root.nsmap:
            raise _NotPlain
    return channel


def _read_channel(channel: Any) -> tuple[dict[str, Any], list[Any]]:
    feed: dict[str, Any] = {}
    items = []
    for child in channel:
        name = _name(child)
        if name == "item":
            items.append(child)
        elif name in _CHANNEL_FIELDS and not _is_href_link(child, name):
            if name in feed:
                raise _NotPlain
            _no_markup(child, attributes=name == "title")
            if child.attrib and name not in {"title", "link"}:
                feed[name] = _attributes(child)  # an unknown element's attributes replace its text
                continue
            value = _text(child.text, uri=name == "link")
            feed[name] = _UNESCAPED_QUERY.sub(r"&\g<1>", value) if name == "link" else value
        elif name == "image":
            _plain_image(child)
        elif not _ignorable(child, name, _CHANNEL_IGNORED):
            raise _NotPlain
    return feed, items


def _read_item(item: Any) -> dict[str, Any]:
    if item.attrib:
        raise _NotPlain  # CDF lastmod/href, rdf:about
    fields: dict[str, Any] = {}
    for child in item:
        name = _name(child)
        if name in _ITEM_FIELDS and not _is_href_link(child, name):
            if name in fields:
                raise _NotPlain
            _no_markup(child, attributes=name not in {"guid", "link"})
            fields[name] = child
        elif not _ignorable(child, name, _ITEM_IGNORED):
            raise _NotPlain
    return _entry(fields)


def _entry(fields: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if "title" in fields:
        entry["title"] = _text(fields["title"].text)
    if "guid" in fields:
        permalink = _attributes(fields["guid"]).get("ispermalink", "true") == "true"
        entry["id"] = _text(fields["guid"].text, uri=permalink)
        if permalink:
            entry["link"] = entry["id"]
    if "link" in fields:
        link = _text(fields["link"].text, uri=True)
        link = link.replace("&amp;", "&")
        entry["link"] = _UNESCAPED_QUERY.sub(r"&\g<1>", link) if ";" in link else link
    if "content_encoded" in fields:
        entry["content"] = [{"value": _text(fields["content_encoded"].text)}]
        entry["summary"] = entry["content"][0]["value"]
    if "description" in fields:
        entry["summary"] = _text(fields["description"].text)
    if "pubdate" in fields:
        entry["published_parsed"] = _parse_date(_text(fields["pubdate"].text))
    if "dc_date" in fields:
        entry["updated_parsed"] = _parse_date(_text(fields["dc_date"].text))
    return entry


def _name(element: Any) -> str:
    """The element's name as feedparser dispatches it: its namespace's prefix, `_`, the local name."""
    tag = element.tag
    if tag[0] != "{":
        return str(tag).lower()
    uri, local = tag[1:].split("}", 1)
    prefix = _PREFIXES.get(uri.lower(), element.prefix)
    return f"{prefix}_{local}".lower() if prefix else str(local).lower()


def _ignorable(element: Any, name: str, ignored: frozenset[str]) -> bool:
    """Nothing feedparser reads from it reaches the fields parse.py uses."""
    if _is_href_link(element, name):  # an atom:link: one that is not rel="alternate" changes nothing
        return _attributes(element).get("rel", "alternate").lower() != "alternate" and not len(element)
    if name in ignored:
        return not len(element)
    if name in _HANDLED or name in {"id", "summary", "content", "published_parsed", "updated_parsed",
                                    "created_parsed"}:
        return False
    return all(_ignorable(child, _name(child), frozenset()) for child in element)


def _is_href_link(element: Any, name: str) -> bool:
    """A link by attribute (atom:link, or url= / uri=, which feedparser takes for href)."""
    return name == "link" and bool({"href", "url", "uri"} & _attributes(element).keys())


def _attributes(element: Any) -> dict[str, str]:
    """Attribute names as feedparser sees them (lower case); namespaced ones never match its keys."""
    return {str(k).lower(): str(v) for k, v in element.attrib.items() if not str(k).startswith("{")}


def _plain_image(image: Any) -> None:
    """<image> with url, title, link... only: anything else makes feedparser leave the image early."""
    if image.attrib:
        raise _NotPlain
    for part in image:
        if _name(part) not in _IMAGE_PARTS:
            raise _NotPlain
        _no_markup(part, attributes=True)


def _no_markup(element: Any, *, attributes: bool = False) -> None:
    """A field of text only; `attributes`: none either (a type= can make feedparser escape the text)."""
    if len(element) or (attributes and element.attrib):
        raise _NotPlain  # markup inside a field: feedparser turns it into (X)HTML text


def _text(raw: str | None, *, uri: bool = False) -> str:
    """feedparser's clean-up of an element's text (mixin.pop) for a document it reads as UTF-8."""
    value = (raw or "").strip()
    if uri and ":///" in value:
        value = _URI_FIXER.sub(r"\1\3", value)
    if value.isascii():
        return value  # nothing to repair or map
    with suppress(UnicodeEncodeError, UnicodeDecodeError):  # feedparser's repair of doubly decoded UTF-8
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252)
