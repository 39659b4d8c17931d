"""What a watchlist found in an article is kept from one match of its story to the next."""

from __future__ import annotations

from pathlib import Path

from monitor.models import Story
from monitor.watch import Watchlist, match_story
from monitor.watch.matcher import ArticleCache
from monitor.watch.memo import MatchMemo
from tests.watch.test_matcher import article, story, watchlist


def _matched(w: Watchlist, s: Story, memo: MatchMemo) -> list[tuple[str, tuple[int | None, ...]]]:
    found = match_story([w], s, cache=ArticleCache(None, memo))
    return [(m.watchlist, tuple(h.article_id for h in m.hits)) for m in found]


def test_a_grown_story_is_matched_again_without_tokenising_its_older_members(
        tmp_path: Path, tokenised: list[str]) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\n')
    first = article(1, "Fighting at Baghouz went on.", source="wire")
    memo = MatchMemo()
    assert _matched(w, story(first), memo) == [("w", (1,))]
    copy = article(2, first.text, source="paper")  # the same text from a second outlet
    other = article(3, "Baghouz was quiet at night.", source="radio")
    assert _matched(w, story(first, copy, other), memo) == [("w", (1, 2, 3))]
    assert tokenised == [first.text, other.text]  # the first once, its copy never, the new one once
    # the same results as without the memo
    assert _matched(w, story(first, copy, other), MatchMemo(max_articles=0)) == [("w", (1, 2, 3))]


def test_an_edited_watchlist_reads_every_article_again(tmp_path: Path, tokenised: list[str]) -> None:
    memo = MatchMemo()
    s = story(article(1, "Fighting at Baghouz went on."))
    assert _matched(watchlist(tmp_path, 'terms = ["Baghouz"]\n'), s, memo) == [("w", (1,))]
    assert _matched(watchlist(tmp_path, 'terms = ["Raqqa"]\n'), s, memo) == []  # loaded again: new object
    assert len(tokenised) == 2


def test_the_memo_keeps_the_latest_contents_only(tmp_path: Path, tokenised: list[str]) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\n')
    memo = MatchMemo(max_articles=2)
    texts = [article(i, f"Report {i} from Baghouz.") for i in range(3)]
    for a in texts:
        _matched(w, story(a), memo)
    assert len(memo) == 2
    _matched(w, story(texts[0]), memo)  # dropped first: read again
    _matched(w, story(texts[2]), memo)  # kept
    assert tokenised == [a.text for a in texts] + [texts[0].text]
