"""A sample alert for `monitor test-alert`: exercises templates, languages and links end to end."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from monitor.alerts.channels.base import RenderedAlert
from monitor.alerts.ids import DOMAIN
from monitor.alerts.render import AlertItem, Renderer
from monitor.models import Story, StoryArticle


def sample_story(now: datetime) -> Story:
    members = [
        ("River flooding closes the main bridge", "en", "Example Wire", "https://wire.example/flood"),
        ("Hochwasser: Hauptbrücke gesperrt", "de", "Beispielblatt", "https://blatt.example/hochwasser"),
        ("बाढ़ के कारण मुख्य पुल बंद", "hi", "उदाहरण समाचार", "https://samachar.example/baadh"),
    ]
    articles = tuple(
        StoryArticle(id=index, title=title, text="", url=url, language=language, source=source,
                     published=now - timedelta(minutes=30 - index))
        for index, (title, language, source, url) in enumerate(members, start=1)
    )
    return Story(id=0, title=members[0][0], first_seen=now - timedelta(minutes=30), articles=articles)


def sample_alert(renderer: Renderer, *, channel: str, now: datetime) -> RenderedAlert:
    """A fresh message id every time, so a receiver that deduplicates still shows each test."""
    item = AlertItem(sample_story(now), {"why": "test alert (flood in title)", "score": 1.0})
    return renderer.alert(item, message_id=f"<test-{uuid.uuid4().hex}@{DOMAIN}>", watchlist="test-alert",
                          channel=channel, date=now)
