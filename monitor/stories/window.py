"""The story window: the recent stories in memory, kept in step with a store, placing articles in them.

`StoryWindow` owns the engine (fingerprints, vectors, scoring) and the cursor over what the store has
placed (by this process or by other replicas); callers hand it a batch of stored articles and get
back where each went. Everything it decides goes through a `StoryStore`: the database
(`storage.story_store`) in the daemon, `MemoryStore` for `monitor cluster` and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np

from monitor.clock import Clock
from monitor.models import Placement, StoredArticle
from monitor.stories.embedding import Embedder
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput, Assignment
from monitor.stories.settings import StorySettings


class StoryStore(Protocol):
    """Where placements are written and read back (the database, or memory)."""

    def placed_since(self, after_seq: int, since: datetime) -> Iterable[StoredArticle]:
        """Placed articles fetched since `since` with a placement number above `after_seq`, in order."""
        ...

    def alerted_since(self, since: datetime) -> Collection[int]:
        """Stories seen since `since` that were alerted (they keep their id and their event)."""
        ...

    def new_story(self, first: StoredArticle) -> int: ...

    def place(self, article: StoredArticle, placement: Placement) -> int:
        """Write the placement; returns its placement number."""
        ...

    def merge(self, into: int, other: int) -> int | None:
        """Fold story `other` into `into`; the last placement number used, or None when refused."""
        ...

    def savepoint(self) -> AbstractContextManager[object]:
        """A scope whose writes are undone when it raises (one article's failure spoils no other)."""
        ...


@dataclass(frozen=True)
class Placed:
    article_id: int
    story_id: int
    reason: str
    score: float
    created: bool  # a new story
    merged: tuple[int, ...] = ()  # stories folded into story_id because this article bridged them
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotPlaced:
    article_id: int
    error: str


class StoryWindow:
    def __init__(self, settings: StorySettings, embedder: Embedder, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = StoryEngine(settings, embedder, clock)
        self.model = embedder.name
        self._cursor = 0  # placement number of the last placement the window holds
        self._alerted: set[int] = set()

    def __len__(self) -> int:
        return len(self.engine)

    def sync(self, store: StoryStore) -> int:
        """Load what the store placed since the window last looked; returns how many articles."""
        since = self.clock.now() - timedelta(days=self.settings.held_days)
        items = list(store.placed_since(self._cursor, since))
        if items:
            self.engine.load(items)
            self._cursor = max(self._cursor, max(i.placed_seq for i in items))
        for story_id in set(store.alerted_since(since)) - self._alerted:
            self.engine.mark_alerted(story_id)
            self._alerted.add(story_id)
        return len(items)

    def vectors_for(self, batch: Sequence[StoredArticle]) -> dict[int, bytes]:
        """Raw vectors of the articles of `batch` the cheap layers will not place and that have none
        (call it before `place_batch`, outside any lock: the model is the slow part)."""
        items = [_input(a) for a in batch]
        todo = [a for a, item, needed in zip(batch, items, self.engine.needs_vectors(items), strict=True)
                if needed and self._stored_vector(a) is None]
        if not todo:
            return {}
        vectors = self.engine.embed([_input(a) for a in todo])
        return {a.article_id: np.asarray(v, dtype=np.float32).tobytes()
                for a, v in zip(todo, vectors, strict=True)}

    def place_batch(self, store: StoryStore, batch: Sequence[StoredArticle]) -> list[Placed | NotPlaced]:
        """Put each article of `batch` in a story, in order, through `store`.

        An article whose placement raises is reported (NotPlaced) and changes nothing; the rest go on.
        Articles that need a vector and carry none are embedded here, in one model call.
        """
        self.sync(store)
        extra = self.vectors_for(batch)
        results: list[Placed | NotPlaced] = []
        for article in batch:
            try:
                with store.savepoint():
                    results.append(self._place(store, article, extra.get(article.article_id)))
            except Exception as exc:  # a bug or bad data on one article: recorded on that article
                results.append(NotPlaced(article.article_id, f"{type(exc).__name__}: {exc}"))
        return results

    def _place(self, store: StoryStore, article: StoredArticle, computed: bytes | None) -> Placed:
        item = _input(article)
        stored = self._stored_vector(article)
        raw = stored if stored is not None else (np.frombuffer(computed, dtype=np.float32)
                                                 if computed is not None else None)
        assignment = self.engine.assign(item, vector=raw)
        created = assignment.story_id is None
        story_id = store.new_story(article) if assignment.story_id is None else assignment.story_id
        fresh = assignment.vector if stored is None else None  # computed now: keep the model's work
        shared = assignment.shared
        seq = store.place(article, Placement(story_id, assignment.score, assignment.reason, shared, fresh,
                                             assignment.vector_model if fresh else None))
        self.engine.commit(article.article_id, story_id, item, assignment)
        self._cursor = max(self._cursor, seq)
        merged = tuple(self._merge(store, story_id, assignment))
        return Placed(article.article_id, story_id, assignment.reason, assignment.score, created, merged,
                      shared)

    def _merge(self, store: StoryStore, story_id: int, assignment: Assignment) -> Iterator[int]:
        for other in assignment.also:  # this article bridges stories told apart until now
            last = store.merge(story_id, other)  # never folds an alerted story away
            if last is not None:
                self.engine.merge(story_id, other)
                self._cursor = max(self._cursor, last)
                yield other

    def _stored_vector(self, article: StoredArticle) -> np.ndarray | None:
        if article.vector is None or article.vector_model not in (None, self.model):
            return None
        return np.frombuffer(article.vector, dtype=np.float32)


def _input(article: StoredArticle) -> ArticleInput:
    keys = (article.text_hash, article.simhash) if article.text_hash else None  # `monitor cluster`: none
    return ArticleInput(article.title, article.text, article.language, article.published, stored_keys=keys)


class MemoryStore:
    """A StoryStore in memory: a new story takes its first article's id; merges are remembered so each
    article's final story can be read back (`story_of`)."""

    def __init__(self) -> None:
        self.placements: dict[int, Placement] = {}
        self.merged_into: dict[int, int] = {}
        self.alerted: set[int] = set()
        self._placed: list[StoredArticle] = []
        self._seq = 0

    def placed_since(self, after_seq: int, since: datetime) -> Iterable[StoredArticle]:
        return []  # the one window writing here holds everything already

    def alerted_since(self, since: datetime) -> Collection[int]:
        return self.alerted

    def new_story(self, first: StoredArticle) -> int:
        return first.article_id

    def place(self, article: StoredArticle, placement: Placement) -> int:
        self.placements[article.article_id] = placement
        self._seq += 1
        return self._seq

    def merge(self, into: int, other: int) -> int | None:
        if into == other or other in self.alerted:
            return None
        self.merged_into[other] = into
        return self._seq

    def savepoint(self) -> AbstractContextManager[object]:
        return nullcontext()

    def story_of(self, article_id: int) -> int:
        story = self.placements[article_id].story_id
        while story in self.merged_into:
            story = self.merged_into[story]
        return story
