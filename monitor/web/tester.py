"""The watchlist tester: a query, terms or an `about` sentence tried on recent stories, with the same
parser and matcher the daemon uses. A parse error comes back with its column."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from monitor.alerts.policy import WatchlistDelivery
from monitor.errors import QueryError
from monitor.models import Match, Story
from monitor.storage.stories import list_story_ids, load_story
from monitor.watch.about import AboutCalibrator
from monitor.watch.matcher import match_story
from monitor.watch.model import Watchlist
from monitor.watch.query import compile_query, literal_seq
from monitor.watch.query.compiler import SeqMatcher
from monitor.watch.spec import DEFAULT_ABOUT_THRESHOLD

if TYPE_CHECKING:
    from monitor.web.context import ConsoleContext

KINDS = ("query", "terms", "about")
MAX_STORIES = 300  # the newest stories of the period; enough to judge a rule, quick enough to wait for
TESTER_NAME = "(tester)"
UNSAVED = Watchlist(name=TESTER_NAME, channels=(), delivery=WatchlistDelivery())  # alerts nobody


@dataclass(frozen=True)
class TesterInput:
    kind: str  # query | terms | about
    text: str
    days: float = 7.0


@dataclass(frozen=True)
class ParseProblem:
    message: str
    line: str  # the text the column points into
    column: int | None  # 0-based, None when the problem has no position


@dataclass(frozen=True)
class TesterResult:
    given: TesterInput
    problem: ParseProblem | None = None
    looked_at: int = 0
    matches: tuple[tuple[Story, Match], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Each match as `monitor watchlists test --json` prints it."""
        return {"looked_at": self.looked_at, "matches": [match_json(story, m) for story, m in self.matches]}


def match_json(story: Story, match: Match) -> dict[str, Any]:
    return {"story_id": match.story_id, "title": story.title, "first_seen": story.first_seen.isoformat(),
            "watchlist": match.watchlist, "channels": list(match.channels), "score": round(match.score, 4),
            "hits": [{"term": h.term, "field": h.field, "snippet": h.snippet, "score": round(h.score, 4)}
                     for h in match.hits]}


def outlet_of(story: Story, article_id: int) -> str:
    """"the article from OUTLET" for a hit, which names the article by id."""
    source = next((a.source for a in story.articles if a.id == article_id), "")
    return f"the article from {source}" if source else f"article {article_id}"


def _problem(exc: QueryError, line: str) -> ParseProblem:
    return ParseProblem(str(exc).split("\n", 1)[0], line, exc.column)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Tester:
    """One per console: the `about` reference sentences are embedded once, on the first `about` test."""

    def __init__(self, context: ConsoleContext) -> None:
        self.context = context
        self._calibrator: AboutCalibrator | None = None
        self._lock = threading.Lock()

    def watchlist(self, given: TesterInput) -> Watchlist | ParseProblem:
        """The rule as a watchlist of its own, or what is wrong with it."""
        if not given.text.strip():
            return ParseProblem(f"type {'a query' if given.kind == 'query' else given.kind} to try", "", None)
        if given.kind == "query":
            try:
                return dataclasses.replace(UNSAVED, query=compile_query(given.text), query_text=given.text)
            except QueryError as exc:
                return _problem(exc, exc.query or given.text)
        if given.kind == "terms":
            terms = []
            for term in _lines(given.text):  # one term or "quoted phrase" per line
                try:
                    terms.append(SeqMatcher(literal_seq(term.strip('"'), label=term)))
                except QueryError as exc:
                    return _problem(exc, term)
            return dataclasses.replace(UNSAVED, terms=tuple(terms))
        return self._about(_lines(given.text))

    def _about(self, texts: list[str]) -> Watchlist | ParseProblem:
        embedder = self.context.embedder
        if embedder is None:
            return ParseProblem("'about' needs the embedding model, and this console has none", "", None)
        with self._lock:
            if self._calibrator is None:
                self._calibrator = AboutCalibrator(embedder)
            about = self._calibrator.build(texts, DEFAULT_ABOUT_THRESHOLD)
        return dataclasses.replace(UNSAVED, about=about)

    def run(self, given: TesterInput) -> TesterResult:
        """Blocking (the database, and the model for `about`): call it from a worker thread."""
        rule = self.watchlist(given)
        if isinstance(rule, ParseProblem):
            return TesterResult(given, problem=rule)
        since = self.context.clock.now() - timedelta(days=given.days)
        found: list[tuple[Story, Match]] = []
        with self.context.engine.connect() as conn:
            story_ids = list_story_ids(conn, since=since)[-MAX_STORIES:]
            for story_id in reversed(story_ids):  # newest first
                story = load_story(conn, story_id)
                found.extend((story, m) for m in match_story([rule], story, embedder=self.context.embedder))
        return TesterResult(given, looked_at=len(story_ids), matches=tuple(found))
