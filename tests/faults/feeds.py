"""Feed documents for tests, built from plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE_DATE = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def item(n: int, *, title: str | None = None, link: str | None = "auto", guid: str | None = "auto",
         date: datetime | None = None, description: str = "") -> str:
    parts = ["<item>"]
    if title is not None or n >= 0:
        parts.append(f"<title>{escape(title if title is not None else f'Story {n}')}</title>")
    if link == "auto":
        link = f"https://news.example/story/{n}"
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    if guid == "auto":
        guid = f"story-{n}"
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    when = date if date is not None else BASE_DATE + timedelta(minutes=n)
    parts.append(f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>")
    if description:
        parts.append(f"<description>{escape(description)}</description>")
    parts.append("</item>")
    return "".join(parts)


def rss(items: list[str] | None = None, *, title: str = "Test feed", extra: str = "",
        encoding: str | None = "utf-8") -> str:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else '<?xml version="1.0"?>'
    body = "\n".join(items if items is not None else [item(1), item(2)])
    return (f'{decl}\n<rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>https://news.example/</link>{extra}\n{body}\n</channel></rss>\n")


def rss_bytes(n_items: int = 2, **kwargs: str) -> bytes:
    return rss([item(i) for i in range(1, n_items + 1)], **kwargs).encode("utf-8")
