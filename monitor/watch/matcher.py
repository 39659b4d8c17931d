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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from monitor.content.language import normalize_lang
from monitor.models import Hit, Match, Story, StoryArticle
from monitor.stories.embedding import split_vectors
from monitor.watch.about import about_score, article_text, passes_prefilter
from monitor.watch.document import Document
from monitor.watch.memo import Found, MatchMemo, content_digest
from monitor.watch.model import Watchlist

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

log = logging.getLogger(__name__)
MAX_HITS = 20


class ArticleCache:
    """Token index and vectors of each article, built on first use and shared by all watchlists.

    Copies (the same title and text under other URLs, placed without a model run) are read once: they
    use the token index, the stored vector and the passage of the first of them. With a `memo`, what
    each watchlist found in a content is kept for the next match as well (memo.py).
    """

    def __init__(self, embedder: Embedder | None = None, memo: MatchMemo | None = None) -> None:
        self.embedder = embedder
        self.memo = memo
        self._digests: dict[tuple[str, str], bytes] = {}
        self._docs: dict[tuple[str, str], Document] = {}
        self._twins: dict[tuple[str, str], StoryArticle] = {}
        self._passages: dict[tuple[str, str], np.ndarray | None] = {}
        self.computed: dict[int, np.ndarray] = {}  # passages embedded here (the caller may keep them)

    def know(self, articles: Sequence[StoryArticle]) -> None:
        """Meet a story's articles first: among copies, the one that has vectors speaks for all."""
        for article in articles:
            twin = self._twins.get(_content(article))
            if twin is None or (not twin.vector and article.vector) or (not twin.passage and article.passage):
                self._twins[_content(article)] = article

    def digest(self, article: StoryArticle) -> bytes:
        key = _content(article)
        if key not in self._digests:
            self._digests[key] = content_digest(*key)
        return self._digests[key]

    def doc(self, article: StoryArticle) -> Document:
        key = _content(article)
        if key not in self._docs:
            self._docs[key] = Document(article.title, article.text)
        return self._docs[key]

    def stored(self, article: StoryArticle) -> np.ndarray | None:
        """The vector the stories stage stored, if it fits the embedder (none without one)."""
        vector_bytes = self._twins.get(_content(article), article).vector or article.vector
        if not vector_bytes or self.embedder is None:  # no passage to embed after the pre-filter
            return None
        vector = np.frombuffer(vector_bytes, dtype=np.float32)
        lead, _ = split_vectors(vector, self.embedder.dim)  # the title's vector follows the lead's
        return lead if lead.shape[0] == self.embedder.dim else None

    def passage(self, article: StoryArticle) -> np.ndarray | None:
        """The article as `about` compares it: stored by an earlier match, else embedded now."""
        key = _content(article)
        if key not in self._passages:
            stored = self._twins.get(key, article).passage or article.passage
            if self.embedder is None:
                log.warning("no embedder: 'about' cannot be checked", extra={"article_id": article.id})
                self._passages[key] = None
            elif stored and len(stored) == 4 * self.embedder.dim:
                self._passages[key] = np.frombuffer(stored, dtype=np.float32)
            else:
                text = article_text(article.title, article.text)
                vector = np.asarray(self.embedder.embed([text], kind="passage")[0], dtype=np.float32)
                self._passages[key] = self.computed[article.id] = vector
        found = self._passages[key]
        if found is not None and not article.passage:
            self.computed.setdefault(article.id, found)  # a copy keeps its twin's: read once next time
        return found


def _content(article: StoryArticle) -> tuple[str, str]:
    return article.title, article.text


def match_story(watchlists: Sequence[Watchlist], story: Story, *, embedder: Embedder | None = None,
                errors: list[str] | None = None, cache: ArticleCache | None = None) -> list[Match]:
    """The watchlists `story` matches, each with the hits that explain why.

    A watchlist that fails on this story (its `about` descriptions cannot be embedded: a model that
    does not load) is left out and its error appended to `errors`; the others still match. Without
    `errors` the failure is raised.
    """
    cache = cache or ArticleCache(embedder)
    cache.know(story.articles)
    if cache.memo is not None:
        cache.memo.use(watchlists)
    matches = []
    for watchlist in watchlists:
        try:
            match = _match_one(watchlist, story, cache)
        except Exception as exc:
            if errors is None:
                raise
            errors.append(f"watchlist {watchlist.name} ({watchlist.file}): {type(exc).__name__}: {exc}")
            continue
        if match is not None:
            matches.append(match)
    return matches


def match_article(watchlist: Watchlist, article: StoryArticle, *, embedder: Embedder | None = None,
                  cache: ArticleCache | None = None) -> Match | None:
    """One article on its own (the language/source filters apply, the story-level counts do not)."""
    cache = cache or ArticleCache(embedder)
    if not watchlist.accepts_source(article.source, article.tags, article.language):
        return None
    found = match_content(watchlist, article, cache)
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
    languages = {normalize_lang(a.language) for a in articles} - {None}
    if watchlist.min_languages > 1 and len(languages) < watchlist.min_languages:
        return None
    best = 0.0
    hits: list[Hit] = []
    matched = False
    for article in articles:
        found = match_content(watchlist, article, cache)
        if found is None:
            continue
        matched = True
        best = max(best, found[0])
        hits.extend(dataclasses.replace(h, article_id=article.id) for h in found[1][:5])
        if len(hits) >= MAX_HITS:  # explained enough; spare the remaining articles (and embeddings)
            break
    if not matched:
        return None
    return Match(story.id, watchlist.name, watchlist.channels, best, tuple(hits[:MAX_HITS]))


def match_content(watchlist: Watchlist, article: StoryArticle, cache: ArticleCache) -> Found:
    """(score, hits) when the article's content satisfies every condition given, else None.

    Cheap conditions run first; an embedding is only computed when everything else holds.
    """
    if cache.memo is None:
        return _match_content(watchlist, article, cache)
    digest = cache.digest(article)
    known, found = cache.memo.get(digest, watchlist)
    if not known:
        found = _match_content(watchlist, article, cache)
        cache.memo.put(digest, watchlist, found)
    return found


def _match_content(watchlist: Watchlist, article: StoryArticle, cache: ArticleCache) -> Found:
    hits: list[Hit] = []
    if watchlist.exclude or watchlist.terms or watchlist.query is not None or watchlist.weighted:
        doc = cache.doc(article)  # an `about` list alone reads no words: the article is not tokenised
        if not _holds(watchlist, doc):
            return None
        hits = [h for term in watchlist.terms for h in term.match(doc) or ()]
        if watchlist.query is not None:
            hits.extend(watchlist.query.match(doc) or ())
        hits.extend(_weighted_hits(watchlist, doc))
    if watchlist.about is not None:
        hit = _about_hit(watchlist, article, cache)
        if hit is None:
            return None
        hits.append(hit)
    return sum(h.score for h in hits), hits


def _holds(watchlist: Watchlist, doc: Document) -> bool:
    """Every condition but `about`, tested without building explanations (most articles fail here)."""
    for excluded in watchlist.exclude:
        if excluded.test(doc):
            return False
    if watchlist.terms:
        for term in watchlist.terms:
            if term.test(doc):
                break
        else:
            return False
    if watchlist.query is not None and not watchlist.query.test(doc):
        return False
    if not watchlist.weighted:
        return True
    return sum(w.weight for w in watchlist.weighted if w.matcher.test(doc)) >= watchlist.threshold


def _weighted_hits(watchlist: Watchlist, doc: Document) -> list[Hit]:
    """Each weighted term found counts its weight once (the first occurrence explains it)."""
    hits = []
    for item in watchlist.weighted:
        found = item.matcher.match(doc)
        if found:
            hits.append(dataclasses.replace(found[0], term=item.term, score=item.weight))
    return hits


def _about_hit(watchlist: Watchlist, article: StoryArticle, cache: ArticleCache) -> Hit | None:
    about = watchlist.about
    if about is None:
        return None
    stored = cache.stored(article)
    if stored is not None and not passes_prefilter(about, stored):
        return None
    vector = cache.passage(article)
    if vector is None:
        return None
    score, best, cosine = about_score(about, vector)
    if score < about.threshold:
        return None
    text = about.texts[best]
    label = text if len(text) <= 80 else text[:79] + "…"
    return Hit(label, "about", snippet=f"cosine {cosine:.3f}, {score:.1f} sd above generic news",
               score=round(score, 3))
