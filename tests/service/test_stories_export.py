"""Story listing, detail and export read what the pipeline stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from monitor.storage.stories_export import get_story, iter_story_details, list_stories

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # 'now' of the seeded_stories fixture (conftest)
Seeded = dict[str, int]


def test_list_is_newest_first_and_honours_since_and_alerted(engine: Engine, seeded_stories: Seeded) -> None:
    ids = seeded_stories
    with engine.connect() as conn:
        recent = list_stories(conn, since=NOW - timedelta(days=7))
        everything = list_stories(conn)
        alerted = list_stories(conn, alerted_only=True)
        one = list_stories(conn, limit=1)
    assert [s.id for s in recent] == [ids["quake"], ids["flood"]]
    assert [s.id for s in everything] == [ids["quake"], ids["flood"], ids["old"]]
    assert [s.id for s in alerted] == [ids["flood"]]
    assert [s.id for s in one] == [ids["quake"]]
    assert recent[1].watchlists == ("floods",)
    assert recent[1].languages == ("ar", "en")


def test_show_gives_articles_matches_and_alerts(engine: Engine, seeded_stories: Seeded) -> None:
    ids = seeded_stories
    with engine.connect() as conn:
        detail = get_story(conn, ids["flood"])
        missing = get_story(conn, 999_999)
    assert missing is None
    assert detail is not None
    assert [a.language for a in detail.articles] == ["en", "ar"]
    assert [(a.watchlist, a.channel, a.state) for a in detail.alerts] == [("floods", "ops-mail", "sent")]
    assert detail.matches[0]["explanation"] == [{"term": "flood"}]
    as_json = json.loads(json.dumps(detail.to_json()))  # plain JSON all the way down
    assert as_json["id"] == ids["flood"] and as_json["alerted"] is True
    assert as_json["alerts"][0]["sent_at"] == NOW.isoformat()
    assert {a["url"] for a in as_json["articles"]} == {"http://127.0.0.1/flood-en", "http://127.0.0.1/flood-ar"}


def test_export_walks_every_story_since(engine: Engine, seeded_stories: Seeded) -> None:
    ids = seeded_stories
    with engine.connect() as conn:
        exported = [d.to_json() for d in iter_story_details(conn, since=NOW - timedelta(days=1))]
        all_of_them = list(iter_story_details(conn))
    assert [d["id"] for d in exported] == [ids["flood"], ids["quake"]]
    assert all(len(d["articles"]) == 2 for d in exported)
    assert len(all_of_them) == 3
