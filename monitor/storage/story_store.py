"""The story window's store in the database (`stories.window.StoryStore`), inside one transaction
that holds the assignment lock: placements are numbered in the order they happen, so every replica's
window can follow them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection

from monitor.models import Placement, StoredArticle
from monitor.storage import articles as article_repo
from monitor.storage import stories as story_repo


class DatabaseStoryStore:
    def __init__(self, conn: Connection, *, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self._next_seq: int | None = None

    def placed_since(self, after_seq: int, since: datetime) -> Iterable[StoredArticle]:
        return article_repo.iter_placed(self.conn, since=since, after_seq=after_seq)

    def alerted_since(self, since: datetime) -> Collection[int]:
        return story_repo.alerted_since(self.conn, since)

    def new_story(self, first: StoredArticle) -> int:
        return story_repo.create_story(self.conn, first.title, now=self.now)

    def place(self, article: StoredArticle, placement: Placement) -> int:
        seq = self._take_seq()
        article_repo.record_placement(self.conn, article.article_id, placement, seq=seq)
        story_repo.add_member(self.conn, placement.story_id, language=article.language,
                              source=article.source, now=self.now)
        return seq

    def merge(self, into: int, other: int) -> int | None:
        if not story_repo.mergeable(self.conn, into, other):
            return None
        last = article_repo.move_to_story(self.conn, other, into, first_seq=self._take_seq())
        self._next_seq = last + 1
        story_repo.merge_stories(self.conn, into, other)
        return last

    def savepoint(self) -> AbstractContextManager[object]:
        # A failed article rolls back to here; the numbering is read again (its number may be unused).
        self._next_seq = None
        return self.conn.begin_nested()

    def _take_seq(self) -> int:
        if self._next_seq is None:
            self._next_seq = article_repo.next_placed_seq(self.conn)
        seq = self._next_seq
        self._next_seq += 1
        return seq
