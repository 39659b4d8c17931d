"""Topic by meaning with the real bundled model: one English sentence about the fighting at Baghouz
finds the five seed articles (Hindi, Arabic, English) and none of 200 unrelated real articles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from monitor.models import Story, StoryArticle
from monitor.stories.textprep import lead_text
from monitor.watch import Watchlist, load_watchlists, match_story
from monitor.watch.matcher import ArticleCache
from tests.watch.conftest import E5Embedder, unrelated_articles

pytestmark = pytest.mark.slow  # embeds ~210 texts with the real model, once per module

ABOUT = "Fighting between the SDF and Islamic State at Baghouz in eastern Syria"
LEAD_CHARS = 400


@pytest.fixture(scope="module")
def about_watchlist(tmp_path_factory: pytest.TempPathFactory, embedder: E5Embedder) -> Watchlist:
    folder = tmp_path_factory.mktemp("about")
    (folder / "baghouz.toml").write_text(f'about = ["{ABOUT}"]\n', encoding="utf-8")
    [watchlist], errors = load_watchlists(folder, channels=None, embedder=embedder)
    assert errors == []
    return watchlist


def stored_vectors(embedder: E5Embedder, articles: list[tuple[str, str]]) -> list[bytes]:
    """The vectors the stories stage stores: title + lead, embedded as "query"."""
    vectors = embedder.embed([lead_text(t, x, LEAD_CHARS) for t, x in articles], kind="query")
    return [v.astype(np.float32).tobytes() for v in vectors]


@pytest.fixture(scope="module")
def unrelated_stories(embedder: E5Embedder) -> list[Story]:
    """200 unrelated articles, embedded once, carrying stored vectors as the stories stage leaves them."""
    articles = unrelated_articles(200)
    assert len(articles) == 200
    return [one_article_story(i, title, text, vector)
            for i, ((title, text), vector) in enumerate(zip(articles, stored_vectors(embedder, articles),
                                                             strict=True))]


def one_article_story(id: int, title: str, text: str, vector: bytes | None = None) -> Story:
    member = StoryArticle(id, title, text, f"http://example.test/{id}", None, "src", None, (), vector)
    return Story(id, title, datetime(2026, 1, 1, tzinfo=UTC), (member,))


def test_about_matches_every_seed_in_every_language(about_watchlist: Watchlist,
                                                    seeds: list[tuple[str, str]],
                                                    embedder: E5Embedder) -> None:
    for i, (name, text) in enumerate(seeds):
        # no stored vector: the matcher embeds title + lead itself
        matches = match_story([about_watchlist], one_article_story(i, "", text), embedder=embedder)
        assert len(matches) == 1, f"{name} not matched"
        [hit] = matches[0].hits
        assert hit.field == "about" and hit.term == ABOUT and hit.score >= about_watchlist.about.threshold


def test_about_matches_none_of_200_unrelated_articles(about_watchlist: Watchlist,
                                                      unrelated_stories: list[Story],
                                                      embedder: E5Embedder) -> None:
    before = embedder.requested["passage"]
    matched = [s.title for s in unrelated_stories if match_story([about_watchlist], s, embedder=embedder)]
    assert matched == []
    # the stored vectors pre-filter: most articles are decided without a passage embedding
    assert embedder.requested["passage"] - before < 50


def test_about_matches_seeds_that_carry_stored_vectors(about_watchlist: Watchlist,
                                                       seeds: list[tuple[str, str]],
                                                       embedder: E5Embedder) -> None:
    articles = [("", text) for _, text in seeds]
    for i, ((_, text), vector) in enumerate(zip(articles, stored_vectors(embedder, articles), strict=True)):
        assert match_story([about_watchlist], one_article_story(i, "", text, vector), embedder=embedder)


def test_about_combines_with_terms(tmp_path: Path, embedder: E5Embedder,
                                   seeds: list[tuple[str, str]]) -> None:
    (tmp_path / "w.toml").write_text(f'terms = ["बघौज"]\nabout = "{ABOUT}"\n', encoding="utf-8")
    [watchlist], _ = load_watchlists(tmp_path, channels=None, embedder=embedder)
    hindi, arabic = seeds[0][1], seeds[1][1]
    [m] = match_story([watchlist], one_article_story(0, "", hindi), embedder=embedder)
    assert {h.field for h in m.hits} == {"text", "about"}
    assert match_story([watchlist], one_article_story(1, "", arabic), embedder=embedder) == []


def test_copies_in_a_story_are_read_once_and_cost_no_passage(about_watchlist: Watchlist,
                                                             seeds: list[tuple[str, str]],
                                                             embedder: E5Embedder) -> None:
    _, text = seeds[4]
    [vector] = stored_vectors(embedder, [("", text)])
    original = StoryArticle(1, "", text, "http://a.test/1", "en", "a", None, (), vector)
    copies = [StoryArticle(n, "", text, f"http://copy{n}.test/", "en", f"c{n}", None) for n in range(2, 6)]
    cache = ArticleCache(embedder)
    before = embedder.requested["passage"]
    story = Story(9, "", datetime(2026, 1, 1, tzinfo=UTC), (original, *copies))
    assert match_story([about_watchlist], story, embedder=embedder, cache=cache)
    assert embedder.requested["passage"] - before <= 1  # the original's passage serves its four copies
    assert set(cache.computed) <= {a.id for a in story.articles}  # kept for each, read once next time


def test_an_about_list_alone_tokenises_no_article(about_watchlist: Watchlist, seeds: list[tuple[str, str]],
                                                  embedder: E5Embedder, tokenised: list[str]) -> None:
    _, text = seeds[4]
    assert match_story([about_watchlist], one_article_story(1, "", text), embedder=embedder)
    assert tokenised == []  # the passage decides; no word of the article is looked up
