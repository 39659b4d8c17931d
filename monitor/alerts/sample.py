"""A sample alert for `monitor test-alert`: exercises templates, languages and links end to end."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from monitor.alerts.channels.base import RenderedAlert
from monitor.alerts.ids import DOMAIN
from monitor.alerts.render import AlertItem, Renderer
from monitor.models import AlertPayload, ArticleLink, StoryOutline


def sample_story(now: datetime) -> StoryOutline:
    members = [
        ("River flooding closes the main bridge", "en", "Example Wire", "https://wire.example/flood"),
        ("Hochwasser: Hauptbrücke gesperrt", "de", "Beispielblatt", "https://blatt.example/hochwasser"),
        ("बाढ़ के कारण मुख्य पुल बंद", "hi", "उदाहरण समाचार", "https://samachar.example/baadh"),
    ]
    articles = tuple(ArticleLink(id=index, title=title, url=url, language=language, source=source)
                     for index, (title, language, source, url) in enumerate(members, start=1))
    return StoryOutline(id=0, title=members[0][0], first_seen=now - timedelta(minutes=30),
                        languages=tuple(sorted(m[1] for m in members)),
                        sources=tuple(sorted(m[2] for m in members)), articles=articles)


def sample_alert(renderer: Renderer, *, channel: str, now: datetime) -> RenderedAlert:
    """A fresh message id every time, so a receiver that deduplicates still shows each test."""
    item = AlertItem(sample_story(now), AlertPayload(score=1.0, why="test alert (flood in title)"))
    return renderer.alert(item, message_id=f"<test-{uuid.uuid4().hex}@{DOMAIN}>", watchlist="test-alert",
                          channel=channel, date=now)
