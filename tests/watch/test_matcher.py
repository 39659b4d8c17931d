from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.models import Story, StoryArticle
from monitor.watch import Watchlist, load_watchlists, match_article, match_story


def article(id: int, text: str, *, language: str = "en", source: str = "wire", title: str = "",
            tags: tuple[str, ...] = ()) -> StoryArticle:
    return StoryArticle(id, title, text, f"http://example.test/{id}", language, source, None, tags)


def story(*articles: StoryArticle) -> Story:
    return Story(7, "a story", datetime(2026, 1, 1, tzinfo=UTC), articles)


def watchlist(tmp_path: Path, body: str) -> Watchlist:
    (tmp_path / "w.toml").write_text('channels = ["ops"]\n' + body, encoding="utf-8")
    watchlists, errors = load_watchlists(tmp_path, channels={"ops"})
    assert errors == []
    return watchlists[0]


def test_terms_any_of_with_hits_naming_article_field_and_snippet(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz", "\\"Mustafa Bali\\""]\n')
    s = story(article(1, "nothing"), article(2, "said Mustafa Bali.", title="Baghouz falls"))
    [m] = match_story([w], s)
    assert (m.story_id, m.watchlist, m.channels) == (7, "w", ("ops",))
    assert {(h.term, h.field, h.article_id) for h in m.hits} == {("Baghouz", "title", 2),
                                                                  ('"Mustafa Bali"', "text", 2)}
    assert m.score == 2.0
    assert m.explain() == 'Baghouz in title; "Mustafa Bali" in text'
    assert match_story([w], story(article(1, "Bali and Mustafa"))) == []


def test_all_given_conditions_must_hold_and_exclusions_veto(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\nquery = "daesh OR isis"\nexclude = ["football"]\n')
    assert match_story([w], story(article(1, "Baghouz and Daesh")))
    assert not match_story([w], story(article(1, "Baghouz only")))
    assert not match_story([w], story(article(1, "Daesh only")))
    assert not match_story([w], story(article(1, "Baghouz Daesh football")))


def test_weighted_terms_reach_the_threshold(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'threshold = 2.0\n[[weighted]]\nterm = "car bomb"\nweight = 1.5\n'
                            '[[weighted]]\nterm = "Baghouz"\nweight = 1.0\n')
    [m] = match_story([w], story(article(1, "a car bomb in Baghouz, another car bomb")))
    assert m.score == 2.5 and {h.term: h.score for h in m.hits} == {"car bomb": 1.5, "Baghouz": 1.0}
    assert not match_story([w], story(article(1, "a car bomb, a car bomb, a car bomb")))



def test_weighted_score_below_the_threshold_builds_no_explanations(tmp_path: Path) -> None:
    from monitor.watch.model import WeightedTerm

    class Spy:
        """A term matcher that counts the explanations asked of it."""

        def __init__(self, inner: Any) -> None:
            self.inner, self.explained = inner, 0

        def test(self, doc: Any) -> bool:
            return bool(self.inner.test(doc))

        def match(self, doc: Any) -> Any:
            self.explained += 1
            return self.inner.match(doc)

    loaded = watchlist(tmp_path, 'threshold = 2.0\n[[weighted]]\nterm = "car bomb"\nweight = 1.5\n')
    spy: Any = Spy(loaded.weighted[0].matcher)
    w = dataclasses.replace(loaded, weighted=(WeightedTerm("car bomb", 1.5, spy),))
    assert not match_story([w], story(article(1, "a car bomb")))
    assert spy.explained == 0
    [m] = match_story([dataclasses.replace(w, threshold=1.5)], story(article(1, "a car bomb")))
    assert m.score == 1.5 and spy.explained == 1

def test_language_and_source_filters_apply_per_article(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz", "الباغوز"]\nlanguages = ["ar"]\n'
                            'sources = ["reuters-ar", "tag:wire"]\n')
    assert match_story([w], story(article(1, "في الباغوز", language="ar", source="reuters-ar")))
    assert match_story([w], story(article(1, "في الباغوز", language="ar-SY", source="x", tags=("wire",))))
    assert not match_story([w], story(article(1, "in Baghouz", language="en", source="reuters-ar")))
    assert not match_story([w], story(article(1, "في الباغوز", language="ar", source="blog")))


def test_story_level_source_and_language_counts(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\nmin_sources = 2\nmin_languages = 2\n')
    one = article(1, "fighting at Baghouz", source="a")
    assert not match_story([w], story(one, article(2, "more", source="a", language="ar")))
    assert not match_story([w], story(one, article(2, "more", source="b", language="en")))
    [m] = match_story([w], story(one, article(2, "القتال", source="b", language="ar")))
    assert {h.article_id for h in m.hits} == {1}



def test_one_language_however_it_is_written_counts_once(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\nmin_languages = 2\n')
    one = article(1, "fighting at Baghouz", source="a")
    assert not match_story([w], story(one, article(2, "more", source="b", language="eng")))
    assert not match_story([w], story(one, article(2, "more", source="b", language="??")))
    assert match_story([w], story(one, article(2, "more", source="b", language="ara")))

def test_many_watchlists_share_one_story(tmp_path: Path) -> None:
    for name, term in [("a", "Baghouz"), ("b", "Hajin"), ("c", "बघौज")]:
        (tmp_path / f"{name}.toml").write_text(f'terms = ["{term}"]\n', encoding="utf-8")
    watchlists, _ = load_watchlists(tmp_path, channels=None)
    s = story(article(1, "Baghouz"), article(2, "बघौज़ पर हमला", language="hi"))
    assert [m.watchlist for m in match_story(watchlists, s)] == ["a", "c"]


def test_match_article_applies_filters_but_not_story_counts(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\nmin_sources = 3\nlanguages = ["en"]\n')
    m = match_article(w, article(5, "Baghouz"))
    assert m is not None and m.hits[0].article_id == 5
    assert match_article(w, article(5, "Baghouz", language="de")) is None


def test_about_without_vector_or_embedder_does_not_match(tmp_path: Path) -> None:
    class Fixed:
        name, dim = "fixed", 2

        def embed(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
            import numpy as np

            return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))

    (tmp_path / "w.toml").write_text('about = ["anything"]\n', encoding="utf-8")
    [w], errors = load_watchlists(tmp_path, channels=None, embedder=Fixed())
    assert errors == []
    assert match_story([w], story(article(1, "text"))) == []  # no stored vector, no embedder
    # a stored lead + title vector (2 * dim) is not compared with descriptions of unknown dimension
    import numpy as np

    stored = dataclasses.replace(article(1, "text"), vector=np.ones(4, dtype=np.float32).tobytes())
    assert match_story([w], story(stored)) == []


@pytest.mark.parametrize("body", ['terms = ["x"]\n', 'query = "x"\n'])
def test_no_match_when_term_absent(tmp_path: Path, body: str) -> None:
    assert match_story([watchlist(tmp_path, body)], story(article(1, "y"))) == []


def test_unknown_language_and_source_still_match_by_default(tmp_path: Path) -> None:
    w = watchlist(tmp_path, 'terms = ["Baghouz"]\n')
    assert match_story([w], story(StoryArticle(1, "", "Baghouz", "http://x", None, "", None)))


def test_an_embedder_failure_fails_only_that_watchlist_and_says_which(tmp_path: Path) -> None:
    class Broken:
        name, dim = "broken", 2

        def embed(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
            raise RuntimeError("model file missing")

    (tmp_path / "a.toml").write_text('about = ["anything"]\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('terms = ["x"]\n', encoding="utf-8")
    broken = Broken()
    watchlists, errors = load_watchlists(tmp_path, channels=None, embedder=broken)
    assert [w.name for w in watchlists] == ["a", "b"] and errors == []  # no model is loaded to load a list
    failures: list[str] = []
    matches = match_story(watchlists, story(article(1, "x marks the spot")), embedder=broken, errors=failures)
    assert [m.watchlist for m in matches] == ["b"]
    [failure] = failures
    assert "a.toml" in failure and "model file missing" in failure
    with pytest.raises(RuntimeError, match="model file missing"):
        match_story(watchlists, story(article(1, "x marks the spot")), embedder=broken)
