"""One story as its page shows it: articles grouped by language, the arrival timeline, and why each
article joined. Built from the CLI's `StoryDetail` (`monitor stories show --json`), nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.models import Alert
from monitor.storage.stories_export import ExportedArticle, StoryDetail
from monitor.stories.reasons import DUPLICATES, placement_words


@dataclass(frozen=True)
class JoinReason:
    """Why an article is in its story, as stored when it was placed."""

    reason: str  # new | text-duplicate | near-duplicate | similar (older rows: url, text)
    score: float | None
    shared_names: tuple[str, ...] = ()  # the names, places and numbers it shares with the story

    @property
    def words(self) -> str:
        return placement_words(self.reason, self.score)  # the page lists the shared names apart

    @property
    def duplicate(self) -> bool:
        return self.reason in DUPLICATES


@dataclass(frozen=True)
class ArticleLine:
    article: ExportedArticle
    why: JoinReason
    arrived: datetime  # when it was fetched (what the story saw)


@dataclass(frozen=True)
class LanguageGroup:
    language: str | None
    articles: tuple[ArticleLine, ...]


@dataclass(frozen=True)
class StoryPage:
    detail: StoryDetail
    groups: tuple[LanguageGroup, ...]  # the language heard first comes first
    timeline: tuple[ArticleLine, ...]  # in arrival order
    started: datetime | None
    alerts: tuple[Alert, ...]  # sent, pending or failed; the newest first

    @property
    def outlets(self) -> tuple[str, ...]:
        return self.detail.story.sources

    def source_of(self, article_id: int) -> str:
        """"the article from OUTLET" for a match's hit (which names the article by id)."""
        for article in self.detail.articles:
            if article.id == article_id:
                return f"the article from {article.source}" if article.source else f"article {article_id}"
        return f"article {article_id}"


def join_reason(article: ExportedArticle) -> JoinReason:
    return JoinReason(reason=article.reason or "", score=article.score, shared_names=article.shared)


def story_page(detail: StoryDetail, alerts: tuple[Alert, ...]) -> StoryPage:
    lines = sorted((ArticleLine(a, join_reason(a), a.fetched) for a in detail.articles),
                   key=lambda line: (line.arrived, line.article.id))
    by_language: dict[str | None, list[ArticleLine]] = {}
    for line in lines:
        by_language.setdefault(line.article.language, []).append(line)
    groups = tuple(LanguageGroup(language, tuple(members)) for language, members in by_language.items())
    return StoryPage(detail=detail, groups=groups, timeline=tuple(lines),
                     started=lines[0].arrived if lines else None, alerts=alerts)
