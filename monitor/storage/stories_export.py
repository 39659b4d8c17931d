"""Read-only story queries for `monitor stories list|show|export`: what was seen, and what was alerted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.tables import articles, entries, outbox, stories, story_matches


@dataclass(frozen=True)
class StorySummary:
    id: int
    title: str
    first_seen: datetime
    last_seen: datetime
    article_count: int
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    alerted: bool
    watchlists: tuple[str, ...]  # watchlists it matched

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


@dataclass(frozen=True)
class ExportedArticle:
    id: int
    title: str
    url: str
    canonical_url: str
    source: str
    language: str | None
    published: datetime | None
    fetched: datetime
    reason: str | None  # why it joined the story: new, text-duplicate, near-duplicate, similar
    score: float | None
    shared: tuple[str, ...] = ()  # the names, places and numbers behind a "similar" decision
    text: str | None = None  # only when asked for (`stories export --text`): it is most of the bytes
    page_error: str | None = None  # the page was given up on: the feed's title and summary stand in

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        if self.text is None:
            del out["text"]
        return out

    def to_input(self, story_id: int) -> dict[str, Any]:
        """The line `monitor match` and `monitor cluster` read: id, title, text, lang, published, ..."""
        return {"id": self.id, "story": story_id, "title": self.title, "text": self.text or "",
                "lang": self.language, "source": self.source, "url": self.canonical_url,
                "published": self.published.isoformat() if self.published else None}


@dataclass(frozen=True)
class ExportedAlert:
    id: int  # the outbox id (`monitor alerts retry ID`)
    watchlist: str
    channel: str
    update_seq: int
    state: str
    attempts: int
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class StoryDetail:
    story: StorySummary
    articles: tuple[ExportedArticle, ...]
    matches: tuple[dict[str, Any], ...]  # watchlist, score, explanation, matched_at
    alerts: tuple[ExportedAlert, ...]

    def to_json(self) -> dict[str, Any]:
        out = self.story.to_json()
        out["articles"] = [a.to_json() for a in self.articles]
        out["matches"] = [_jsonable(m) for m in self.matches]
        out["alerts"] = [_jsonable(asdict(a)) for a in self.alerts]
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _watchlists_by_story(conn: Connection, story_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(story_ids), 500):
        rows = conn.execute(select(story_matches.c.story_id, story_matches.c.watchlist)
                            .where(story_matches.c.story_id.in_(story_ids[start:start + 500]))
                            .order_by(story_matches.c.watchlist))
        for story_id, watchlist in rows:
            found.setdefault(story_id, []).append(watchlist)
    return found


def list_stories(conn: Connection, *, since: datetime | None = None, limit: int | None = None,
                 alerted_only: bool = False) -> list[StorySummary]:
    """Stories last seen at or after `since`, newest first."""
    query = select(stories).order_by(stories.c.last_seen_at.desc(), stories.c.id.desc())
    if since is not None:
        query = query.where(stories.c.last_seen_at >= since)
    if alerted_only:
        query = query.where(stories.c.alerted.is_(True))
    if limit is not None:
        query = query.limit(limit)
    try:
        rows = conn.execute(query).all()
        watchlists = _watchlists_by_story(conn, [r.id for r in rows])
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot list stories: {exc}") from exc
    return [_summary(row, watchlists.get(row.id, [])) for row in rows]


def _summary(row: Any, watchlists: list[str]) -> StorySummary:
    return StorySummary(
        id=row.id, title=row.title, first_seen=row.first_seen_at, last_seen=row.last_seen_at,
        article_count=row.article_count, languages=tuple(row.languages or ()),
        sources=tuple(row.sources or ()), alerted=bool(row.alerted), watchlists=tuple(watchlists),
    )


def get_story(conn: Connection, story_id: int, *, with_text: bool = False) -> StoryDetail | None:
    """One story with its articles (their text too with `with_text`), matches and alerts; None if none."""
    try:
        row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        if row is None:
            return None
        members = conn.execute(select(articles).where(articles.c.story_id == story_id)
                               .order_by(articles.c.fetched_at, articles.c.id)).all()
        matches = conn.execute(select(story_matches).where(story_matches.c.story_id == story_id)
                               .order_by(story_matches.c.watchlist)).all()
        alerts = conn.execute(select(outbox).where(outbox.c.story_id == story_id)
                              .order_by(outbox.c.watchlist, outbox.c.channel, outbox.c.update_seq)).all()
        page_errors = _stand_in_errors(conn, [m.id for m in members if m.page_hash is None])
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read story {story_id}: {exc}") from exc
    return StoryDetail(
        story=_summary(row, [m.watchlist for m in matches]),
        articles=tuple(ExportedArticle(
            id=a.id, title=a.title, url=a.url, canonical_url=a.canonical_url, source=a.source,
            language=a.language, published=a.published_at, fetched=a.fetched_at, reason=a.story_reason,
            score=a.story_score, shared=tuple(a.story_shared or ()),
            text=a.text if with_text else None, page_error=page_errors.get(a.id)) for a in members),
        matches=tuple({"watchlist": m.watchlist, "score": m.score, "explanation": m.explanation,
                       "matched_at": m.matched_at} for m in matches),
        alerts=tuple(ExportedAlert(
            id=o.id, watchlist=o.watchlist, channel=o.channel, update_seq=o.update_seq, state=o.state,
            attempts=o.attempts, sent_at=o.sent_at, last_error=o.last_error) for o in alerts),
    )


def _stand_in_errors(conn: Connection, article_ids: list[int]) -> dict[int, str]:
    """Article id -> the error of the page it stands in for (an article made of its feed's text has
    no page bytes, and the entry that brought it failed)."""
    if not article_ids:
        return {}
    rows = conn.execute(select(entries.c.article_id, entries.c.error)
                        .where(entries.c.article_id.in_(article_ids), entries.c.status == "failed"))
    return {r.article_id: r.error or "page unavailable" for r in rows}


def iter_story_details(conn: Connection, *, since: datetime | None = None,
                       with_text: bool = False) -> Iterator[StoryDetail]:
    """Every story seen since `since` with its articles, oldest first (for a JSON Lines export)."""
    query = select(stories.c.id).order_by(stories.c.id)
    if since is not None:
        query = query.where(stories.c.last_seen_at >= since)
    try:
        ids = list(conn.execute(query).scalars())
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot export stories: {exc}") from exc
    for story_id in ids:
        detail = get_story(conn, story_id, with_text=with_text)
        if detail is not None:  # deleted meanwhile (retention)
            yield detail
