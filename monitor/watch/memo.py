"""What each watchlist found in an article's content, kept from one match of a story to the next.

A story is matched again each time it grows (a new outlet, a wire copy), and matching it used to
tokenise every member again: a story of k members cost k tokenisations at each of its k changes.
The result of a watchlist on one article depends only on the watchlist and on the article's title and
text (its source and language are filtered before, by the story), so it is kept under a digest of
the two: older members and copies of a member are read, not tokenised. An edited watchlist is loaded
as a new object, and a different set of watchlists clears what was kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.models import Hit
    from monitor.watch.model import Watchlist

Found = tuple[float, list["Hit"]] | None  # what match_content returns
DEFAULT_ARTICLES = 8192  # about two days of a large deployment's articles; a few MB (most results are None)


def content_digest(title: str, text: str) -> bytes:
    return hashlib.blake2b(f"{title}\x00{text}".encode(), digest_size=16).digest()


class MatchMemo:
    """The results of the latest `max_articles` contents, least recently used dropped first."""

    def __init__(self, max_articles: int = DEFAULT_ARTICLES) -> None:
        self._max = max_articles
        self._watchlists: tuple[Watchlist, ...] = ()  # compared and keyed by identity (eq=False)
        self._found: OrderedDict[bytes, dict[Watchlist, Found]] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, watchlists: Sequence[Watchlist]) -> None:
        """The watchlists of this match: results of any other set are dropped."""
        with self._lock:
            if tuple(watchlists) != self._watchlists:
                self._found.clear()
                self._watchlists = tuple(watchlists)

    def get(self, digest: bytes, watchlist: Watchlist) -> tuple[bool, Found]:
        """(known, result)."""
        with self._lock:
            results = self._found.get(digest)
            if results is None or watchlist not in results:
                return False, None
            self._found.move_to_end(digest)
            return True, results[watchlist]

    def put(self, digest: bytes, watchlist: Watchlist, found: Found) -> None:
        with self._lock:
            if watchlist not in self._watchlists:
                return  # a watchlist outside the set `use` was given: not kept
            self._found.setdefault(digest, {})[watchlist] = found
            self._found.move_to_end(digest)
            while len(self._found) > self._max:
                self._found.popitem(last=False)

    def __len__(self) -> int:
        return len(self._found)
