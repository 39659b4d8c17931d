"""Online story assignment over a sliding window.

Order of work per article: exact text hash, then SimHash near-duplicate (same language), then
the embeddings (of the title, and of the first prose: see article_vectors); candidate stories come
from an index of member lead vectors, and the fitted combiner (publication time included) scores
the article against each candidate's two closest members. Members, not a centroid, carry a story:
a centroid drifts towards the topic as a story grows, and translations sit far from a centroid
built in another language. Which story the article joins, and which stories it shows to be one
event, is decided story by story in `placement`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from monitor.clock import Clock
from monitor.models import StoredArticle
from monitor.stories import fingerprint
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedding import Embedder, embed_batches, split_vectors
from monitor.stories.features import Signals, SignalSource, signal_source
from monitor.stories.index import VectorIndex
from monitor.stories.placement import Fit, place
from monitor.stories.records import ArticleInput, Assignment, Reason
from monitor.stories.settings import StorySettings
from monitor.stories.shared_names import shared_names
from monitor.stories.similarity import Similarity, load_similarity
from monitor.stories.thresholds import margin

_MEMBERS_INDEXED = 12  # per story; later members still feed the centroid and the duplicate keys
_MEMBERS_SCORED = 2  # closest members scored in full per candidate story
_MEMBERS_WHOLE = 4
# A story is judged as a whole once it has this many members; before, its best member decides (two
# members may be the two halves of a translation pair the model scores low, as Arabic and Hindi).
_WHOLE_FROM = 3  # closest members looked at when a story's best member admits the article
# An article whose title names only countries none of the story's titles name fits it this much
# worse (logits): a day's toll in France is not the story of the toll in Spain, however alike the
# words (two tolls written from one template score 0.94, a margin of about 2.3). Near a veto, as
# merging two events hides an alert; a report of one event told from another country still joins
# through a title that names no country or both. Measured on the stream (bench/RESULTS-stories.md).
_OTHER_COUNTRY = 3.0


@dataclass
class _Member:
    story_id: int
    language: str | None
    text_hash: str
    # Only members in the vector index are ever scored in full: the others (duplicates, and members
    # past _MEMBERS_INDEXED of their story) keep no signals and no vectors.
    signals: Signals | None = None
    # A member loaded from the database keeps what its signals are made of, until it is first scored:
    # computing them all made each start slow (2.6 s of CPU for a window of 1,000), most never are.
    source: SignalSource | None = None
    vector: np.ndarray | None = None  # of the lead, centred and normalised
    title_vector: np.ndarray | None = None  # of the title, centred and normalised


@dataclass
class _Story:
    raw_sum: np.ndarray | None = None  # sum of raw member vectors (the centroid before centring)
    centroid: np.ndarray | None = None  # centred and normalised
    vectors: int = 0
    members: list[int] = field(default_factory=list)
    last_time: datetime | None = None
    countries: frozenset[str] = frozenset()  # named in its members' titles (places.py)


class StoryEngine:
    def __init__(self, settings: StorySettings, embedder: Embedder, clock: Clock,
                 similarity: Similarity | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.clock = clock
        self.similarity = similarity or load_similarity(embedder.name, settings.coefficients,
                                                        settings.threshold)
        self._window = timedelta(days=settings.window_days)  # a story idle longer is dormant ...
        self._held = timedelta(days=settings.held_days)  # ... and leaves the window after this
        self._stories: dict[int, _Story] = {}
        self._members: dict[int, _Member] = {}
        self._by_hash: dict[str, int] = {}  # text hash -> article id
        self._simhashes = fingerprint.SimHashIndex()
        self._member_vectors = VectorIndex(embedder.dim, settings.brute_force_below)
        self._expiry: list[tuple[datetime, int]] = []  # (story last time, story id), lazily checked
        self._pending: dict[str, Signals] = {}  # text hash -> signals computed in assign, for commit
        self._alerted: set[int] = set()

    # ---- public surface -------------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self.similarity.threshold

    def __len__(self) -> int:
        return len(self._stories)

    def load(self, items: Iterable[StoredArticle]) -> int:
        """Rebuild the window from stored articles (oldest first is best); returns how many were kept."""
        horizon = self.clock.now() - self._held
        kept = 0
        # The window slides over arrival time (when we stored the article): a page's own date can be
        # missing, wrong or years old (archives, republished pieces) and must not evict a story that
        # is still receiving articles. Publication dates remain a similarity signal.
        for item in sorted(items, key=lambda i: i.fetched):
            if item.fetched < horizon:
                continue
            vector = None
            if item.vector is not None and item.vector_model in (None, self.embedder.name):
                vector = np.frombuffer(item.vector, dtype=np.float32)
                if vector.shape[0] not in (self.embedder.dim, 2 * self.embedder.dim):
                    vector = None
            if item.story_id is None:
                continue
            known = self._members.get(item.article_id)
            if known is not None and known.story_id != item.story_id:
                self.merge(item.story_id, known.story_id)  # another replica merged the two stories
            self._add_member(item.article_id, item.story_id, item, vector, item.text_hash, item.simhash,
                             item.fetched)
            kept += 1
        return kept

    def embed(self, items: list[ArticleInput]) -> np.ndarray:
        """Raw vectors for several articles in batches (what `assign(..., vector=)` accepts): each row
        is the lead's vector followed by the title's."""
        return article_vectors([(i.title, i.text) for i in items], self.similarity.lead_chars,
                               lambda texts: embed_batches(self.embedder, texts, self.settings.batch_size))

    def needs_vectors(self, items: list[ArticleInput]) -> list[bool]:
        """Which articles of a batch the cheap layers will not place (earlier ones in the batch count).

        Embed only these, then assign and commit the batch in order: a wire copy of an article
        earlier in the same batch is then caught as a duplicate without model work.
        """
        self._evict()
        hashes: set[str] = set()
        sims: list[int] = []
        out = []
        for item in items:
            thash, shash = item.keys
            bits = self.settings.near_duplicate_bits
            near = shash is not None and any(fingerprint.hamming(shash, s) <= bits for s in sims)
            out.append(not (thash in hashes or near or self._duplicate_of(item, thash, shash)))
            hashes.add(thash)
            if shash is not None:
                sims.append(shash)
        return out

    def assign(self, item: ArticleInput, vector: np.ndarray | None = None) -> Assignment:
        self._evict()
        thash, shash = item.keys
        dup = self._duplicate_of(item, thash, shash)
        if dup is not None:
            story_id, score, reason = dup
            return Assignment(story_id, score, reason, None, None, thash, shash)
        raw = vector if vector is not None else self.embed([item])[0]
        raw = np.asarray(raw, dtype=np.float32)
        lead, title = split_vectors(raw, self.embedder.dim)
        centred = self.similarity.centre(lead)[0]
        title_centred = self.similarity.centre(title, titles=True)[0] if title is not None else None
        sig = self.similarity.signals(item.title, item.text, item.language, item.published)
        self._pending = {thash: sig}
        placed = place(self._fits(sig, centred, title_centred), self._alerted)
        if placed.story_id is None or placed.member is None:
            return Assignment(None, placed.score, "new", raw.tobytes(), self.embedder.name, thash, shash)
        member = self._signals(self._members[placed.member])
        shared = shared_names(item.title, item.text, sig, member, self.similarity.frequencies.words)
        return Assignment(placed.story_id, placed.score, "similar", raw.tobytes(), self.embedder.name, thash,
                          shash, placed.merges, shared)

    def mark_alerted(self, story_id: int) -> None:
        """The story has alerted: it takes new articles only on a strong fit and is never merged."""
        self._alerted.add(story_id)

    def commit(self, article_id: int, story_id: int, item: ArticleInput, assignment: Assignment) -> None:
        """Record a membership the lead has written: centroid, members, duplicate keys."""
        sig = self._pending.pop(assignment.text_hash, None)
        raw = np.frombuffer(assignment.vector, dtype=np.float32) if assignment.vector else None
        self._add_member(article_id, story_id, item, raw, assignment.text_hash, assignment.simhash,
                         self.clock.now(), sig)

    def merge(self, into: int, other: int) -> None:
        """Fold story `other` into `into` (after the lead merged them): an article bridged the two."""
        if into == other or other not in self._stories or into not in self._stories:
            return
        source, target = self._stories.pop(other), self._stories[into]
        if other in self._alerted:  # the lead never folds an alerted story away; should it, the alert stays
            self._alerted.discard(other)
            self._alerted.add(into)
        for article_id in source.members:
            self._members[article_id].story_id = into
        target.members.extend(source.members)
        target.countries |= source.countries
        if source.raw_sum is not None:
            target.raw_sum = source.raw_sum if target.raw_sum is None else target.raw_sum + source.raw_sum
            target.vectors += source.vectors
            target.centroid = self.similarity.centre(target.raw_sum / target.vectors)[0]
        if source.last_time is not None and (target.last_time is None or source.last_time > target.last_time):
            target.last_time = source.last_time
            heapq.heappush(self._expiry, (source.last_time, into))

    def story_centroid(self, story_id: int) -> bytes | None:
        story = self._stories.get(story_id)
        if story is None or story.raw_sum is None:
            return None
        mean = story.raw_sum / story.vectors
        return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32).tobytes()

    # ---- internals ------------------------------------------------------------------------------
    def _duplicate_of(self, item: ArticleInput, thash: str, shash: int | None
                      ) -> tuple[int, float, Reason] | None:
        exact = self._members.get(self._by_hash.get(thash, -1))
        if exact is not None:
            return exact.story_id, 1.0, "text-duplicate"
        if shash is None:
            return None
        near = self._simhashes.nearest(shash, self.settings.near_duplicate_bits)
        if near is None:
            return None
        member = self._members.get(near[0])
        if member is None or (item.language and member.language and item.language != member.language):
            return None
        return member.story_id, 1.0 - near[1] / 64.0, "near-duplicate"

    def _fits(self, sig: Signals, vec: np.ndarray, title_vec: np.ndarray | None) -> list[Fit]:
        """How the article fits each candidate story (the nearest by a member's lead vector)."""
        k = 2 * self.settings.candidates  # several hits may fall in one story
        closest: dict[int, list[tuple[float, int]]] = {}
        for article_id, cos in self._member_vectors.search(vec, k):
            member = self._members.get(article_id)
            if member is not None:
                closest.setdefault(member.story_id, []).append((cos, article_id))
        fits = []
        for story_id in list(closest)[:self.settings.candidates]:  # the search gives hits best first
            story = self._stories.get(story_id)
            if story is not None:
                fits.append(self._fit(sig, vec, title_vec, story_id, story, closest[story_id]))
        return fits

    def _fit(self, sig: Signals, vec: np.ndarray, title_vec: np.ndarray | None, story_id: int, story: _Story,
             hits: list[tuple[float, int]]) -> Fit:
        """Margins against the story's closest members: the best one's, and the story's as a whole.

        A story the best member admits is looked at more widely (its _MEMBERS_WHOLE closest
        members). From _WHOLE_FROM members on, it is judged as a whole by its two best-fitting ones,
        the second taken among the members in the article's language or the best member's: across
        other languages the model scores one event low (Hindi and Arabic reports of one battle meet
        at 0.1 to 0.2), so a member in a third language would veto every translation.
        """
        scored = [self._margin(sig, title_vec, cos, a) for cos, a in hits[:_MEMBERS_SCORED]]
        if max(scored)[0] >= 0 and len(story.members) > len(scored):
            seen = {a for _, _, a in scored}
            scored += [self._margin(sig, title_vec, cos, a) for cos, a in
                       self._closest_members(vec, story, _MEMBERS_WHOLE) if a not in seen]
        scored.sort(reverse=True)
        best_margin, best_score, best_member = scored[0]
        languages = {sig.language, self._members[best_member].language}
        second = next((m for m, _, a in scored[1:] if self._members[a].language in languages), best_margin)
        whole = (best_margin + second) / 2 if len(story.members) >= _WHOLE_FROM else best_margin
        if sig.places and story.countries and not sig.places & story.countries:
            best_margin, whole = best_margin - _OTHER_COUNTRY, whole - _OTHER_COUNTRY
        dormant = story.last_time is not None and self.clock.now() - story.last_time > self._window
        return Fit(story_id, best_score, best_margin, whole, best_member,
                   best_score >= self.similarity.thresholds.alerted, dormant, story.countries)

    def _margin(self, sig: Signals, title_vec: np.ndarray | None, cos: float, article_id: int
                ) -> tuple[float, float, int]:
        """(margin over the pair's threshold, similarity, member) for one indexed member."""
        member = self._members[article_id]
        signals = self._signals(member)
        title_cos = (float(member.title_vector @ title_vec)
                     if member.title_vector is not None and title_vec is not None else None)
        score = self.similarity.score(sig, signals, cos, title_cos)
        return margin(score, self.similarity.thresholds.for_pair(sig, signals)), score, article_id

    def _signals(self, member: _Member) -> Signals:
        if member.signals is None:
            assert member.source is not None  # an indexed member has one or the other
            member.signals, member.source = self.similarity.signals_from(member.source), None
        return member.signals

    def _closest_members(self, vec: np.ndarray, story: _Story, n: int) -> list[tuple[float, int]]:
        indexed = [(float(m.vector @ vec), a) for a in story.members
                   if (m := self._members[a]).vector is not None]
        return sorted(indexed, reverse=True)[:n]

    def _add_member(self, article_id: int, story_id: int, article: ArticleInput | StoredArticle,
                    raw: np.ndarray | None, thash: str, shash: int | None, when: datetime,
                    sig: Signals | None = None) -> None:
        if article_id in self._members:  # loaded twice (a sync overlapping a commit): already counted
            return
        story = self._stories.setdefault(story_id, _Story())
        member = _Member(story_id, article.language, thash)
        self._members[article_id] = member
        story.members.append(article_id)
        self._by_hash.setdefault(thash, article_id)
        if shash is not None:
            self._simhashes.add(article_id, shash)
        if raw is not None:
            lead, title = split_vectors(raw, self.embedder.dim)
            story.raw_sum = lead.astype(np.float32).copy() if story.raw_sum is None else story.raw_sum + lead
            story.vectors += 1
            story.centroid = self.similarity.centre(story.raw_sum / story.vectors)[0]
            if story.vectors <= _MEMBERS_INDEXED:
                member.signals = sig
                if sig is None:
                    member.source = signal_source(article.title, article.text, article.language,
                                                  article.published)
                member.vector = self.similarity.centre(lead)[0]
                if title is not None:
                    member.title_vector = self.similarity.centre(title, titles=True)[0]
                self._member_vectors.upsert(article_id, member.vector)
        known = sig or member.source  # member.signals, when set, is sig
        if known is not None:
            story.countries |= known.places
        if story.last_time is None or when > story.last_time:
            story.last_time = when
            heapq.heappush(self._expiry, (when, story_id))

    def _evict(self) -> None:
        horizon = self.clock.now() - self._held
        gone: set[int] = set()
        while self._expiry and self._expiry[0][0] < horizon:
            when, story_id = heapq.heappop(self._expiry)
            story = self._stories.get(story_id)
            if story is None or (story.last_time is not None and story.last_time > when):
                continue  # the story moved on since this entry was pushed
            del self._stories[story_id]
            self._alerted.discard(story_id)
            for article_id in story.members:
                member = self._members.pop(article_id)
                self._member_vectors.remove(article_id)
                if self._by_hash.get(member.text_hash) == article_id:
                    del self._by_hash[member.text_hash]
                gone.add(article_id)
        if gone:
            self._simhashes.remove(gone)
