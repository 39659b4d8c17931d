"""The story window takes the duplicate keys the content stage stored instead of computing them again."""

from datetime import UTC, datetime

from monitor.clock import FakeClock
from monitor.models import StoredArticle
from monitor.stories import fingerprint
from monitor.stories.embedders import load_embedder
from monitor.stories.settings import StorySettings
from monitor.stories.window import MemoryStore, Placed, StoryWindow

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
FLOOD = "The Oder burst its banks at Wroclaw on Sunday; 4,000 residents were evacuated overnight. " * 4
VOTE = "Portugal votes on Sunday in a snap election called after the prime minister resigned. " * 4


def _article(n: int, title: str, text: str, keys: tuple[str, int | None]) -> StoredArticle:
    return StoredArticle(article_id=n, story_id=None, title=title, text=text, language="en", published=WHEN,
                         fetched=WHEN, text_hash=keys[0], simhash=keys[1], vector=None)


def _window() -> StoryWindow:
    return StoryWindow(StorySettings(), load_embedder(StorySettings()), FakeClock(WHEN))


def test_the_stored_text_hash_decides_a_duplicate() -> None:
    window, store = _window(), MemoryStore()
    flood_keys = fingerprint.keys("Oder floods Wroclaw", FLOOD)
    first, second = window.place_batch(store, [
        _article(1, "Oder floods Wroclaw", FLOOD, flood_keys),
        # another text under the first one's stored keys: only the stored keys can make it a copy
        _article(2, "Portugal votes", VOTE, flood_keys)])
    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert (second.reason, second.story_id) == ("text-duplicate", first.story_id)


def test_without_stored_keys_the_text_decides() -> None:
    window, store = _window(), MemoryStore()
    first, second = window.place_batch(store, [_article(1, "Oder floods Wroclaw", FLOOD, ("", None)),
                                               _article(2, "Portugal votes", VOTE, ("", None))])
    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert second.reason == "new" and second.story_id != first.story_id
