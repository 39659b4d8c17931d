"""Read-only story queries for the web console: filtered pages of stories, filter choices, and the
recent matches of a watchlist. The rows are the CLI's `StorySummary` (`monitor stories list --json`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from monitor.errors import StorageError
from monitor.storage.stories_export import StorySummary, _summary, _watchlists_by_story
from monitor.storage.tables import articles, stories, story_matches


@dataclass(frozen=True)
class StoryFilter:
    watchlist: str | None = None  # matched this watchlist
    language: str | None = None  # has an article in this language
    outlet: str | None = None  # has an article from this source (feed name)
    text: str | None = None  # in the story's title or in one of its articles' titles
    alerted: bool | None = None
    since: datetime | None = None  # last seen at or after


@dataclass(frozen=True)
class StoryPage:
    stories: tuple[StorySummary, ...]
    total: int


@dataclass(frozen=True)
class StoryFacets:
    """What the filters can choose from."""

    watchlists: tuple[str, ...]
    languages: tuple[str, ...]
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class RecentMatch:
    story: StorySummary
    score: float
    matched_at: datetime
    explanation: tuple[dict[str, Any], ...]  # Hit dicts: term, field, article_id, snippet, score


def _member(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(articles.c.story_id == stories.c.id, condition)


def _conditions(where: StoryFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.watchlist:
        conditions.append(exists().where(story_matches.c.story_id == stories.c.id,
                                         story_matches.c.watchlist == where.watchlist))
    if where.language:
        conditions.append(_member(articles.c.language == where.language))
    if where.outlet:
        conditions.append(_member(articles.c.source == where.outlet))
    if where.text and where.text.strip():
        text = where.text.strip()
        conditions.append(or_(stories.c.title.icontains(text, autoescape=True),
                              _member(articles.c.title.icontains(text, autoescape=True))))
    if where.alerted is not None:
        conditions.append(stories.c.alerted.is_(where.alerted))
    if where.since is not None:
        conditions.append(stories.c.last_seen_at >= where.since)
    return conditions


def search_stories(conn: Connection, where: StoryFilter, *, offset: int = 0, limit: int = 50) -> StoryPage:
    """Stories matching `where`, newest first (by last seen), one page of them and the total."""
    conditions = _conditions(where)
    try:
        rows = conn.execute(select(stories).where(*conditions)
                            .order_by(stories.c.last_seen_at.desc(), stories.c.id.desc())
                            .offset(offset).limit(limit)).all()
        total = conn.execute(select(func.count()).select_from(stories).where(*conditions)).scalar_one()
        watchlists = _watchlists_by_story(conn, [r.id for r in rows])
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot search stories: {exc}") from exc
    return StoryPage(tuple(_summary(r, watchlists.get(r.id, [])) for r in rows), int(total))


def story_facets(conn: Connection) -> StoryFacets:
    try:
        watchlists = conn.scalars(select(story_matches.c.watchlist).distinct()
                                  .order_by(story_matches.c.watchlist))
        languages = conn.scalars(select(articles.c.language).where(
            articles.c.story_id.is_not(None), articles.c.language.is_not(None)).distinct()
            .order_by(articles.c.language))
        outlets = conn.scalars(select(articles.c.source).where(
            articles.c.story_id.is_not(None), articles.c.source != "").distinct().order_by(articles.c.source))
        return StoryFacets(tuple(watchlists), tuple(languages), tuple(outlets))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the story filters: {exc}") from exc


def recent_matches(conn: Connection, watchlist: str, *, since: datetime,
                   limit: int = 20) -> list[RecentMatch]:
    """The stories `watchlist` matched since `since`, the newest match first."""
    try:
        rows = conn.execute(
            select(stories, story_matches.c.score, story_matches.c.matched_at, story_matches.c.explanation)
            .join(story_matches, story_matches.c.story_id == stories.c.id)
            .where(story_matches.c.watchlist == watchlist, story_matches.c.matched_at >= since)
            .order_by(story_matches.c.matched_at.desc(), stories.c.id.desc()).limit(limit)).all()
        watchlists = _watchlists_by_story(conn, [r.id for r in rows])
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the matches of {watchlist!r}: {exc}") from exc
    return [RecentMatch(_summary(r, watchlists.get(r.id, [])), float(r.score), r.matched_at,
                        tuple(r.explanation or ())) for r in rows]
