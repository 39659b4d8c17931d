"""Rendering: golden files for an alert, an update and a digest; the public surface of the package.

Regenerate the golden files after a deliberate template change with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import monitor.alerts
from monitor.alerts import Renderer
from monitor.alerts.render import AlertItem, renderer_for
from monitor.models import AlertPayload, ArticleLink, StoryOutline

GOLDEN = Path(__file__).parent / "golden"
SEEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def story(story_id: int, title: str, *others: tuple[str, str, str]) -> StoryOutline:
    members = [(title, "en", "Wire"), *others]
    return StoryOutline(
        id=story_id, title=title, first_seen=SEEN, languages=tuple(sorted({m[1] for m in members})),
        sources=tuple(sorted({m[2] for m in members})),
        articles=tuple(ArticleLink(id=n, title=t, url=f"https://{s.lower()}.example/{story_id}",
                                   language=lang, source=s) for n, (t, lang, s) in enumerate(members)))


FLOOD = story(1, "Floods close the river bridge", ("Hochwasser sperrt Brücke", "de", "Blatt"),
              ("बाढ़ से पुल बंद", "hi", "Samachar"))
STRIKE = story(2, "Dock workers strike", ("Grève des dockers", "fr", "Journal"))
PAYLOAD = AlertPayload(score=0.91, why="flood in title; bridge in text")


def check(name: str, content: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(content, encoding="utf-8")
    assert content == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 if intended"


@pytest.mark.parametrize("kind", ["alert", "update", "digest"])
def test_rendering_matches_the_golden_files(kind: str) -> None:
    renderer = Renderer()
    if kind == "digest":
        rendered = renderer.digest(
            [AlertItem(FLOOD, PAYLOAD), AlertItem(STRIKE, PAYLOAD), AlertItem(FLOOD, PAYLOAD, 1)],
            message_id="<digest-1@news-monitor>", watchlist="floods", channel="mail",
            timezone="Europe/Berlin")
    else:
        seq = 1 if kind == "update" else 0
        payload = replace(PAYLOAD, new_languages=("hi",), new_sources=("Samachar",)) if seq else PAYLOAD
        rendered = renderer.alert(AlertItem(FLOOD, payload, seq), message_id=f"<story-1.floods.mail.{seq}@x>",
                                  watchlist="floods", channel="mail", timezone="Europe/Berlin",
                                  thread=("<story-1.floods.mail.0@x>",) if seq else ())
    check(f"{kind}.txt", rendered.text)
    check(f"{kind}.html", rendered.html)
    check(f"{kind}.json", json.dumps(rendered.payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert rendered.subject in rendered.html


def test_renderer_for_shares_one_renderer_per_templates_dir(tmp_path: Path) -> None:
    assert renderer_for() is renderer_for(None)
    assert renderer_for(tmp_path) is renderer_for(tmp_path)
    assert renderer_for(tmp_path) is not renderer_for()


def test_public_surface() -> None:
    assert set(monitor.alerts.__all__) >= {"build_channels", "plan_alerts", "deliver_due", "ChannelSettings",
                                           "DeliverySettings", "DeliveryReport", "WatchlistDelivery"}
    assert list(inspect.signature(monitor.alerts.deliver_due).parameters)[:7] == [
        "engine", "channels", "now", "settings", "owner", "watchlists", "renderer"]
    assert list(inspect.signature(monitor.alerts.plan_alerts).parameters) == [
        "conn", "matches", "watchlists", "now", "stories"]


def test_every_exported_name_resolves() -> None:
    assert all(getattr(monitor.alerts, name) is not None for name in monitor.alerts.__all__)
    with pytest.raises(AttributeError):
        monitor.alerts.no_such_name  # noqa: B018
