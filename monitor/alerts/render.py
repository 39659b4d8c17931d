"""Alerts and digests -> subject, plain text, HTML and the webhook JSON document.

Everything that came from a feed is untrusted: the HTML templates autoescape, links are kept only
for http(s) URLs (no `javascript:`), and the subject is flattened to one printable line.
Users override any template by putting a file of the same name in `[delivery] templates_dir`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.alerts.channels.base import RenderedAlert, flat_line
from monitor.models import AlertPayload, StoryOutline

if TYPE_CHECKING:
    from jinja2 import Environment

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
_MAX_LINKS = 12


@dataclass(frozen=True)
class AlertItem:
    """One story as an alert shows it, with what the planner recorded about the match."""

    story: StoryOutline
    payload: AlertPayload
    update_seq: int = 0


class Renderer:
    def __init__(self, templates_dir: Path | None = None) -> None:
        self.templates_dir = templates_dir

    @cached_property
    def env(self) -> Environment:
        # Jinja comes with the first alert to render: a cycle that sends nothing never imports it.
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

        loaders = [FileSystemLoader(str(self.templates_dir))] if self.templates_dir else []
        return Environment(
            loader=ChoiceLoader([*loaders, FileSystemLoader(str(BUILTIN_TEMPLATES))]),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )

    def alert(self, item: AlertItem, *, message_id: str, watchlist: str, channel: str,
              timezone: str = "UTC", thread: Sequence[str] = (),
              date: datetime | None = None) -> RenderedAlert:
        """An instant alert (update_seq 0) or a story update threaded under `thread`."""
        kind = "update" if item.update_seq else "alert"
        return self._render("alert", kind, [item], message_id=message_id, watchlist=watchlist,
                            channel=channel, timezone=timezone, thread=tuple(thread), date=date)

    def digest(self, items: Sequence[AlertItem], *, message_id: str, watchlist: str, channel: str,
               timezone: str = "UTC", date: datetime | None = None) -> RenderedAlert:
        """One message listing each story once (its newest planned state wins)."""
        latest: dict[int, AlertItem] = {}
        for item in items:
            if item.story.id not in latest or item.update_seq > latest[item.story.id].update_seq:
                latest[item.story.id] = item
        ordered = sorted(latest.values(), key=lambda i: (i.story.first_seen, i.story.id))
        return self._render("digest", "digest", ordered, message_id=message_id, watchlist=watchlist,
                            channel=channel, timezone=timezone, thread=(), date=date)

    def _render(self, template: str, kind: str, items: Sequence[AlertItem], *, message_id: str,
                watchlist: str, channel: str, timezone: str, thread: tuple[str, ...],
                date: datetime | None) -> RenderedAlert:
        stories = [story_view(i, ZoneInfo(timezone)) for i in items]
        context = {"kind": kind, "watchlist": watchlist, "channel": channel, "stories": stories,
                   "story": stories[0]}
        subject = flat_line(self.env.get_template("subject.txt.j2").render(context))
        context["subject"] = subject
        payload = {"id": message_id, "kind": kind, "watchlist": watchlist, "channel": channel,
                   "subject": subject, "in_reply_to": thread[0] if thread else None,
                   "references": list(thread), "stories": stories}
        return RenderedAlert(
            message_id=message_id, subject=subject,
            text=self.env.get_template(f"{template}.txt.j2").render(context),
            html=self.env.get_template(f"{template}.html.j2").render(context),
            payload=payload, in_reply_to=thread[0] if thread else None, references=thread, date=date,
        )


def renderer_for(templates_dir: Path | None = None) -> Renderer:
    """One shared Renderer per templates directory: its Jinja environment compiles each template once
    (and still reloads a user template that changed on disk). Safe to share between threads."""
    return _shared_renderer(templates_dir)  # one cache key however the argument was passed


@lru_cache(maxsize=8)
def _shared_renderer(templates_dir: Path | None) -> Renderer:
    return Renderer(templates_dir)


def story_view(item: AlertItem, tz: ZoneInfo) -> dict[str, Any]:
    """Plain data about a story for templates and the webhook document (JSON-ready)."""
    story, payload = item.story, item.payload
    first = story.articles[0] if story.articles else None
    original_language = first.language if first else None
    headlines, seen = [], {original_language}
    for article in story.articles:
        if article.language not in seen:
            seen.add(article.language)
            headlines.append({"language": _line(article.language or "?"), "title": _line(article.title),
                              "url": safe_url(article.url), "source": _line(article.source)})
    links = [{"url": safe_url(a.url), "source": _line(a.source), "language": _line(a.language or "") or None}
             for a in story.articles[:_MAX_LINKS]]
    return {
        "id": story.id, "title": _line(story.title), "language": original_language,
        "main_url": safe_url(first.url) if first else None,
        "first_seen": story.first_seen.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
        "first_seen_utc": story.first_seen.isoformat(),
        "languages": [_line(x) for x in story.languages], "sources": [_line(x) for x in story.sources],
        "headlines": headlines, "links": links,
        "why": _line(payload.why, 1000), "score": payload.score,
        "update_seq": item.update_seq, "is_update": item.update_seq > 0,
        "new_languages": list(payload.new_languages),
        "new_sources": [_line(x) for x in payload.new_sources],
    }


def _line(text: str, limit: int = 500) -> str:
    # Feed text must not bring its own line breaks into a message's layout.
    return flat_line(text, limit)


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None
