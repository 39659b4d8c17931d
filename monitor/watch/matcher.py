"""Apply compiled watchlists to a story (or one article) and explain every match with hits.

Per article, all given content conditions must hold (terms any-of, query, weighted score >= threshold,
about score >= about_threshold) and no exclusion term may occur. A story matches a watchlist when one
of its articles that passes the language/source filters matches, and the filtered articles come from
at least `min_sources` sources in at least `min_languages` languages. Each article is tokenised (and
embedded, if needed) once per call, however many watchlists look at it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from monitor.models import Hit, Match, Story, StoryArticle
from monitor.watch.about import about_score, article_text
from monitor.watch.document import Document
from monitor.watch.model import Watchlist
from monitor.watch.spec import primary_language

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

log = logging.getLogger(__name__)
MAX_HITS = 20


class ArticleCache:
    """Token index and vector of each article, built on first use and shared by all watchlists."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self._docs: dict[int, Document] = {}
        self._vectors: dict[int, np.ndarray | None] = {}

    def doc(self, article: StoryArticle) -> Document:
        if article.id not in self._docs:
            self._docs[article.id] = Document(article.title, article.text)
        return self._docs[article.id]

    def vector(self, article: StoryArticle) -> np.ndarray | None:
        if article.id not in self._vectors:
            self._vectors[article.id] = self._vector(article)
        return self._vectors[article.id]

    def _vector(self, article: StoryArticle) -> np.ndarray | None:
        dim = self.embedder.dim if self.embedder is not None else None
        if article.vector:
            stored = np.frombuffer(article.vector, dtype=np.float32)
            if dim is None or stored.shape[0] == dim:
                return stored
        if self.embedder is None:
            log.warning("no vector and no embedder: 'about' cannot be checked article_id=%s", article.id)
            return None
        return self.embedder.embed([article_text(article.title, article.text)], kind="passage")[0]


def match_story(watchlists: Sequence[Watchlist], story: Story, *,
                embedder: Embedder | None = None) -> list[Match]:
    """The watchlists `story` matches, each with the hits that explain why."""
    cache = ArticleCache(embedder)
    matches = []
    for watchlist in watchlists:
        match = _match_one(watchlist, story, cache)
        if match is not None:
            matches.append(match)
    return matches


def match_article(watchlist: Watchlist, article: StoryArticle, *, embedder: Embedder | None = None,
                  cache: ArticleCache | None = None) -> Match | None:
    """One article on its own (the language/source filters apply, the story-level counts do not)."""
    cache = cache or ArticleCache(embedder)
    if not watchlist.accepts_source(article.source, article.tags, article.language):
        return None
    found = match_content(watchlist, cache.doc(article), lambda: cache.vector(article))
    if found is None:
        return None
    score, hits = found
    return Match(article.id, watchlist.name, watchlist.channels, score,
                 tuple(dataclasses.replace(h, article_id=article.id) for h in hits[:MAX_HITS]))


def _match_one(watchlist: Watchlist, story: Story, cache: ArticleCache) -> Match | None:
    articles = [a for a in story.articles if watchlist.accepts_source(a.source, a.tags, a.language)]
    if not articles:
        return None
    # counts only bind above 1: an article of unknown source or language still makes a story of one
    if watchlist.min_sources > 1 and len({a.source for a in articles if a.source}) < watchlist.min_sources:
        return None
    languages = {primary_language(a.language) for a in articles if a.language}
    if watchlist.min_languages > 1 and len(languages) < watchlist.min_languages:
        return None
    best = 0.0
    hits: list[Hit] = []
    matched = False
    for article in articles:
        found = match_content(watchlist, cache.doc(article), lambda a=article: cache.vector(a))
        if found is None:
            continue
        matched = True
        best = max(best, found[0])
        hits.extend(dataclasses.replace(h, article_id=article.id) for h in found[1][:5])
    if not matched:
        return None
    return Match(story.id, watchlist.name, watchlist.channels, best, tuple(hits[:MAX_HITS]))


def match_content(watchlist: Watchlist, doc: Document,
                  vector: Callable[[], np.ndarray | None]) -> tuple[float, list[Hit]] | None:
    """(score, hits) when the article's content satisfies every condition given, else None.

    Cheap conditions run first; the vector (possibly an embedding) is only asked for when needed.
    """
    if any(ex.match(doc) is not None for ex in watchlist.exclude):
        return None
    hits: list[Hit] = []
    if watchlist.terms:
        found = [h for term in watchlist.terms for h in term.match(doc) or ()]
        if not found:
            return None
        hits.extend(found)
    if watchlist.query is not None:
        found = watchlist.query.match(doc)
        if found is None:
            return None
        hits.extend(found)
    if watchlist.weighted:
        weighted = _weighted_hits(watchlist, doc)
        if sum(h.score for h in weighted) < watchlist.threshold:
            return None
        hits.extend(weighted)
    if watchlist.about is not None:
        hit = _about_hit(watchlist, vector())
        if hit is None:
            return None
        hits.append(hit)
    return sum(h.score for h in hits), hits


def _weighted_hits(watchlist: Watchlist, doc: Document) -> list[Hit]:
    """Each weighted term found counts its weight once (the first occurrence explains it)."""
    hits = []
    for item in watchlist.weighted:
        found = item.matcher.match(doc)
        if found:
            hits.append(dataclasses.replace(found[0], term=item.term, score=item.weight))
    return hits


def _about_hit(watchlist: Watchlist, vector: np.ndarray | None) -> Hit | None:
    about = watchlist.about
    if about is None or vector is None:
        return None
    score, best, cosine = about_score(about, vector)
    if score < about.threshold:
        return None
    text = about.texts[best]
    label = text if len(text) <= 80 else text[:79] + "…"
    return Hit(label, "about", snippet=f"cosine {cosine:.3f}, {score:.1f} sd above generic news",
               score=round(score, 3))
