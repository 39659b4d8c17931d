"""OPML import and export (the feed-list format every reader speaks). Pure: text in, text out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from monitor.errors import ConfigError
from monitor.models import Feed


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()
    site_url: str | None = None


def parse_opml(data: bytes, *, source: str = "OPML") -> list[OpmlFeed]:
    """Feeds of an OPML document; folders become tags. Raises ConfigError naming `source`."""
    if re.search(rb"<!ENTITY", data[:65536], re.IGNORECASE):
        raise ConfigError("entity declarations are not allowed in OPML", file=source)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"not valid XML ({exc})", file=source, line=exc.position[0]) from None
    body = root.find("body")
    if root.tag.lower() != "opml" or body is None:
        raise ConfigError("not an OPML document (no <opml><body>)", file=source)
    found: list[OpmlFeed] = []
    _walk(body, (), found)
    return _unique_names(found)


def _walk(node: ET.Element, folders: tuple[str, ...], found: list[OpmlFeed]) -> None:
    for outline in node.findall("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        label = (outline.get("title") or outline.get("text") or "").strip()
        if url:
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            categories = [c.strip().strip("/") for c in (outline.get("category") or "").split(",")]
            tags = tuple(dict.fromkeys([*folders, *(c for c in categories if c)]))
            found.append(OpmlFeed(name=(label or default_name(url))[:200], url=url, tags=tags,
                                  site_url=outline.get("htmlUrl") or None))
        else:
            _walk(outline, (*folders, label) if label else folders, found)


def default_name(url: str) -> str:
    """A feed name for a feed without a title: host and path, at most 200 characters."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/")[:200] or url


def _unique_names(feeds: list[OpmlFeed]) -> list[OpmlFeed]:
    seen: dict[str, int] = {}
    unique = []
    for feed in feeds:
        count = seen.get(feed.name, 0) + 1
        seen[feed.name] = count
        name = feed.name if count == 1 else f"{feed.name} ({count})"
        unique.append(OpmlFeed(name, feed.url, feed.tags, feed.site_url))
    return unique


def export_opml(feeds: Sequence[Feed], *, title: str, now: datetime) -> str:
    """An OPML 2.0 document listing `feeds`, with their tags as `category`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
