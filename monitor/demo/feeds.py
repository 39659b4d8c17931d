"""Build small RSS 2.0 and Atom documents (for the demo site and the tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    guid: str
    published: datetime
    summary: str = ""


def rss(title: str, link: str, items: Sequence[FeedItem], *, language: str = "en") -> str:
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<guid isPermaLink=\"false\">{escape(i.guid)}</guid>"
        f"<pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description>{escape(i.summary)}</description></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)}</description><language>{language}</language>"
        f"{body}</channel></rss>\n"
    )


def atom(title: str, link: str, items: Sequence[FeedItem], *, feed_id: str) -> str:
    updated = max((i.published for i in items), default=None)
    body = "".join(
        f"<entry><title>{escape(i.title)}</title><link rel=\"alternate\" href=\"{escape(i.link)}\"/>"
        f"<id>{escape(i.guid)}</id><updated>{i.published.isoformat()}</updated>"
        f"<summary>{escape(i.summary)}</summary></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{escape(feed_id)}</id>"
        f"<link rel=\"alternate\" href=\"{escape(link)}\"/>"
        f"<updated>{(updated.isoformat() if updated else '2019-02-13T00:00:00+00:00')}</updated>"
        f"{body}</feed>\n"
    )
