"""Frozen values passed between the stages of the flow (see ARCHITECTURE.md).

Library objects (feedparser dicts, ORM rows, httpx responses) are converted into these where they
enter, so every stage after that works on plain, typed, immutable data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Feed:
    """A feed as stored: identity, where to fetch it and what the last poll left behind."""

    id: int
    name: str
    url: str
    tags: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    interval_seconds: int | None = None  # per-feed override; None = global default
    error_count: int = 0
    enabled: bool = True
    # State the scheduler and `monitor feeds list` read (None until the first poll).
    current_interval_seconds: int | None = None  # adaptive interval in force
    next_check_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_success_at: datetime | None = None
    last_new_entry_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    warning: str | None = None
    disabled_reason: str | None = None


@dataclass(frozen=True)
class PollResult:
    """What one conditional GET of a feed gave."""

    status: int | None  # HTTP status; None when no response arrived (timeout, refused, ...)
    body: bytes | None = None  # None on 304 and on errors
    url: str = ""  # final URL after redirects
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # human-readable reason when the poll failed
    retry_after_seconds: float | None = None  # server's hint (Retry-After, max-age, ...)
    permanent_redirect_to: str | None = None  # set on 301/308 so the stored URL can move
    charset: str | None = None  # Content-Type charset, for decoding the body

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class FeedUpdate:
    """What one poll changes on a feed row (computed by ingest.schedule, written by storage)."""

    checked_at: datetime
    next_check_at: datetime
    status: int | None
    error: str | None = None  # None = success (error_count resets)
    warning: str | None = None
    etag: str | None = None  # None keeps the stored validator
    last_modified: str | None = None
    current_interval_seconds: int | None = None
    new_url: str | None = None  # permanent redirect: the stored URL moves
    disable_reason: str | None = None  # e.g. HTTP 410: the feed is switched off
    new_entries: int = 0


@dataclass(frozen=True)
class Entry:
    """One item of a parsed feed, keyed so that re-polling never yields it twice."""

    key: str  # stable: hash of GUID, else URL, else title + content
    url: str | None
    title: str
    summary: str = ""
    guid: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class PendingEntry:
    """A stored entry whose page is still to be fetched, with what the pipeline needs of its feed."""

    id: int
    feed_id: int
    feed_name: str
    feed_tags: tuple[str, ...]
    url: str | None
    title: str
    published: datetime | None
    attempts: int = 0
    summary: str = ""  # the feed's text of the entry


@dataclass(frozen=True)
class Page:
    """A fetched article page, capped in size and typed."""

    url: str  # final URL after redirects
    requested_url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None = None  # from the Content-Type header, if any


@dataclass(frozen=True)
class Article:
    """The readable part of a page: what stories and watchlists work on."""

    url: str
    canonical_url: str
    title: str
    text: str
    language: str | None
    published: datetime | None
    source: str = ""  # the feed's name
    tags: tuple[str, ...] = ()  # the feed's tags
    # The `<link rel=canonical>` the page's markup declares as written, "" when it declares none, None
    # when not known (an article made of the feed's text)
    declared_canonical: str | None = None


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored with its duplicate keys and vector: what the stories job places (story_id
    None) and what rebuilds the story window after a restart or another replica's writes (vectors are
    never re-encoded)."""

    article_id: int
    story_id: int | None  # None while it waits for the stories job
    title: str
    text: str
    language: str | None
    published: datetime | None
    fetched: datetime
    text_hash: str
    simhash: int | None
    vector: bytes | None
    vector_model: str | None = None  # a vector of another model is ignored, not mixed in
    placed_seq: int = 0  # placement order (0 = not placed yet)
    source: str = ""  # the feed's name


@dataclass(frozen=True)
class Placement:
    """What the stories stage decided for an article, written beside it."""

    story_id: int
    score: float  # similarity that put it there (1.0 for a duplicate)
    reason: str  # "new", "text-duplicate", "near-duplicate", "similar"
    shared: tuple[str, ...] = ()  # the names, places and numbers behind a "similar" decision
    vector: bytes | None = None  # set when the model ran for this article during placement
    vector_model: str | None = None


@dataclass(frozen=True)
class StoryArticle:
    """An article as a member of a story (enough to render an alert and match a watchlist)."""

    id: int
    title: str
    text: str
    url: str
    language: str | None
    source: str
    published: datetime | None
    tags: tuple[str, ...] = ()
    vector: bytes | None = None  # float32 embedding as stored, if computed
    passage: bytes | None = None  # float32 "passage" embedding for `about` watchlists, once computed


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    first_seen: datetime
    articles: tuple[StoryArticle, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({a.language for a in self.articles if a.language}))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({a.source for a in self.articles if a.source}))


@dataclass(frozen=True)
class Hit:
    """One reason a watchlist matched: a term, where it was found, and what it contributed."""

    term: str
    field: str  # "title" or "text" or "about"
    article_id: int | None = None
    snippet: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class Match:
    story_id: int
    watchlist: str
    channels: tuple[str, ...]
    score: float = 0.0
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    def explain(self) -> str:
        """One line for people: each (term, field) once, in the order found."""
        reasons = dict.fromkeys(f"{h.term} in {h.field}" for h in self.hits)
        return "; ".join(reasons) or "matched"


@dataclass(frozen=True)
class ArticleLink:
    """An article as an alert or a listing shows it: a headline and where it is, no text."""

    id: int
    title: str
    url: str
    language: str | None
    source: str


@dataclass(frozen=True)
class StoryOutline:
    """A story as an alert shows it: the summary row and its articles' headlines, oldest first."""

    id: int
    title: str
    first_seen: datetime
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    articles: tuple[ArticleLink, ...] = ()


@dataclass(frozen=True)
class HitSummary:
    """One reason of a match as the alert keeps it."""

    term: str
    field: str
    snippet: str = ""


@dataclass(frozen=True)
class AlertPayload:
    """What the planner recorded about a match, and what a sent alert showed (updates report the rest)."""

    score: float = 0.0
    why: str = "matched"
    hits: tuple[HitSummary, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    new_languages: tuple[str, ...] = ()  # updates only: what is new since the alert before
    new_sources: tuple[str, ...] = ()


AlertState = Literal["pending", "sending", "sent", "failed"]
AlertKind = Literal["instant", "digest"]


@dataclass(frozen=True)
class Alert:
    """One outbox row: a story x watchlist x channel (x update) and where its delivery stands."""

    id: int
    story_id: int
    watchlist: str
    channel: str
    update_seq: int
    kind: AlertKind
    state: AlertState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: str
    payload: AlertPayload
    digest_id: int | None
    created_at: datetime
    sent_at: datetime | None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
