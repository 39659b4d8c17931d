from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from monitor.clock import FakeClock
from monitor.models import StoredArticle
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput
from monitor.stories.settings import StorySettings

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)

FLOOD = ("Heavy rain caused the Oder river to burst its banks near Wroclaw on Tuesday, forcing 4,000 "
         "residents to leave their homes. Rescue teams used boats to reach villages cut off by the water, "
         "and the regional governor said the level would peak on Thursday. Schools in twelve districts "
         "stayed closed and the railway line to Opole was suspended until further notice. Farmers in the "
         "valley said their harvest was lost, and insurers expect claims to exceed last year's total. The "
         "army sent 600 soldiers to reinforce embankments with sandbags overnight, while meteorologists "
         "warned that more rain could fall on the mountains to the south over the weekend.")
ELECTION = ("Voters in Portugal chose a new parliament on Sunday after the prime minister resigned in "
            "November. The centre-right alliance won the most seats but fell short of a majority, and its "
            "leader said he would seek support from smaller parties. Turnout was the highest in two "
            "decades, the electoral commission reported late in the evening.")


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to encode."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed(self, texts, kind="passage"):
        self.calls += len(texts)
        return self.inner.embed(texts, kind)


def _article(title, text, lang="en", published=NOW):
    return ArticleInput(title, text, lang, published, f"https://example.org/{abs(hash(title))}")


def _run(engine, item, article_id, new_story_id):
    assignment = engine.assign(item)
    story = assignment.story_id if assignment.story_id is not None else new_story_id
    engine.commit(article_id, story, item, assignment)
    return assignment, story


@pytest.fixture
def clock():
    return FakeClock(NOW)


def test_duplicates_join_without_embedding_and_unrelated_starts_a_story(e5, clock):
    embedder = CountingEmbedder(e5)
    engine = StoryEngine(StorySettings(), embedder, clock)
    first, story = _run(engine, _article("Oder floods Wroclaw", FLOOD), 1, 100)
    assert first.reason == "new" and first.story_id is None and embedder.calls == 2  # lead and title
    assert len(first.vector) == 2 * 4 * e5.dim and first.vector_model == "e5-small"  # float32 lead + title
    assert -(1 << 63) <= first.simhash < (1 << 63)
    exact, _ = _run(engine, _article("Floods: thousands leave homes", FLOOD.upper()), 2, 101)
    assert (exact.reason, exact.story_id, exact.vector) == ("text-duplicate", story, None)
    wire = "WROCLAW (Agency) - " + FLOOD.replace("overnight", "during the night") + " (Reporting by staff)"
    near, _ = _run(engine, _article("Oder floods", wire), 3, 102)
    assert (near.reason, near.story_id) == ("near-duplicate", story)
    assert embedder.calls == 2
    other, other_story = _run(engine, _article("Portugal votes", ELECTION), 4, 103)
    assert other.reason == "new" and other_story == 103
    assert np.frombuffer(engine.story_centroid(story), dtype=np.float32).shape == (e5.dim,)
    assert engine.story_centroid(999) is None


def test_rewritten_report_of_the_same_event_is_similar(e5, clock):
    engine = StoryEngine(StorySettings(), e5, clock)
    _run(engine, _article("Oder floods Wroclaw", FLOOD), 1, 100)
    rewrite = ("Thousands of people were evacuated from their homes around Wroclaw after the Oder river "
               "overflowed following days of heavy rain. Boats were used to reach cut-off villages near "
               "Opole, where rail services were halted. The governor expects the flood to peak on Thursday; "
               "schools in 12 districts remain shut.")
    title = "Oder river overflows, Wroclaw evacuates thousands"
    assignment, _ = _run(engine, _article(title, rewrite), 2, 101)
    assert (assignment.reason, assignment.story_id) == ("similar", 100)
    assert assignment.score >= engine.threshold


def test_stories_leave_the_window(e5, clock):
    engine = StoryEngine(StorySettings(window_days=3, reach_days=3), e5, clock)
    _run(engine, _article("Oder floods Wroclaw", FLOOD), 1, 100)
    clock.advance(4 * 86400)
    again = engine.assign(_article("Oder floods Wroclaw", FLOOD, published=None))
    assert again.reason == "new" and len(engine) == 0


def test_load_rebuilds_the_window_without_encoding(e5, clock):
    vector = e5.embed(["Oder floods Wroclaw. " + FLOOD[:400]], kind="query")[0]
    from monitor.stories import fingerprint

    def stored(article_id, story_id, text, when, model="e5-small"):
        keys = fingerprint.keys("t", text)
        return StoredArticle(article_id, story_id, "t", text, "en", when, when, *keys, vector.tobytes(),
                             model)

    embedder = CountingEmbedder(e5)
    engine = StoryEngine(StorySettings(), embedder, clock)
    kept = engine.load([stored(1, 7, FLOOD, NOW - timedelta(hours=5)),
                        stored(2, 8, ELECTION, NOW - timedelta(days=20)),  # past the window's reach
                        stored(3, 9, ELECTION + " More.", NOW - timedelta(hours=1), model="other-model")])
    assert kept == 2 and embedder.calls == 0 and len(engine) == 2
    assert engine.story_centroid(9) is None  # a vector of another model is not mixed in
    assert engine.assign(_article("Floods", FLOOD)).story_id == 7


def test_stored_vectors_with_and_without_the_title_part_both_load(e5, clock):
    from monitor.stories import fingerprint

    engine = StoryEngine(StorySettings(), e5, clock)
    flood = _article("Oder floods Wroclaw", FLOOD)
    both = engine.embed([flood])[0]  # lead then title
    assert both.shape == (2 * e5.dim,)
    texts = (FLOOD, FLOOD + " Boats reached cut-off villages.")
    items = [StoredArticle(n, 10 + n, flood.title, texts[n], "en", NOW, NOW,
                           fingerprint.text_hash(flood.title, texts[n]), None, vector.tobytes(), "e5-small")
             for n, vector in enumerate((both, both[:e5.dim]))]  # the second as stored before titles
    fresh = StoryEngine(StorySettings(), CountingEmbedder(e5), clock)
    assert fresh.load(items) == 2
    for story_id in (10, 11):
        assert np.frombuffer(fresh.story_centroid(story_id), dtype=np.float32).shape == (e5.dim,)
    rewrite = _article("Oder river overflows, Wroclaw evacuates thousands",
                       FLOOD.replace("overnight", "at night"))
    joined = fresh.assign(rewrite, engine.embed([rewrite])[0])
    assert joined.reason == "similar" and joined.story_id in (10, 11)


def test_a_loaded_window_scores_as_the_one_it_was_saved_from_computing_signals_only_when_asked(
        e5, clock, monkeypatch):
    built = StoryEngine(StorySettings(), e5, clock)
    saved = []
    for article_id, story_id, item in ((1, 7, _article("Oder floods Wroclaw", FLOOD)),
                                       (2, 8, _article("Portugal votes", ELECTION))):
        done = built.assign(item)
        built.commit(article_id, story_id, item, done)
        saved.append(StoredArticle(article_id, story_id, item.title, item.text, "en", NOW, NOW,
                                   done.text_hash, done.simhash, done.vector, done.vector_model))
    loaded = StoryEngine(StorySettings(), e5, clock)
    scored: list[str] = []
    compute = loaded.similarity.signals_from
    monkeypatch.setattr(loaded.similarity, "signals_from",
                        lambda source: scored.append(source.title) or compute(source))
    assert loaded.load(saved) == 2 and scored == []  # loading computes no member's signals
    # but the countries a story's titles name, which every fit reads, are known at once
    assert loaded._stories[8].countries == built._stories[8].countries == {"PT"}
    rewrite = _article("Oder river overflows, Wroclaw evacuates thousands",
                       FLOOD.replace("overnight", "at night").replace("Tuesday", "Wednesday"))
    vector = built.embed([rewrite])[0]
    theirs, ours = built.assign(rewrite, vector), loaded.assign(rewrite, vector)
    assert (ours.story_id, ours.reason) == (theirs.story_id, theirs.reason) == (7, "similar")
    assert (ours.score, ours.shared) == (theirs.score, theirs.shared)
    assert "Oder floods Wroclaw" in scored and scored.count("Oder floods Wroclaw") == 1  # once, then kept
    loaded.assign(rewrite, vector)
    assert scored.count("Oder floods Wroclaw") == 1


def test_needs_vectors_counts_copies_earlier_in_the_batch(e5, clock):
    engine = StoryEngine(StorySettings(), e5, clock)
    _run(engine, _article("Portugal votes", ELECTION), 1, 100)
    wire = "WROCLAW (Agency) - " + FLOOD + " (Reporting by staff)"
    batch = [_article("Oder floods", FLOOD), _article("Floods", wire), _article("Vote", ELECTION.upper())]
    assert engine.needs_vectors(batch) == [True, False, False]


def test_merge_folds_one_story_into_another(e5, clock):
    engine = StoryEngine(StorySettings(), e5, clock)
    _run(engine, _article("Oder floods Wroclaw", FLOOD), 1, 100)
    _run(engine, _article("Portugal votes", ELECTION), 2, 200)
    assert len(engine) == 2
    engine.merge(100, 200)
    assert len(engine) == 1 and engine.story_centroid(200) is None
    assert engine.assign(_article("Portugal votes", ELECTION)).story_id == 100
    engine.merge(100, 999)  # an unknown story changes nothing
    assert len(engine) == 1


def test_the_window_follows_arrival_not_the_pages_own_date(e5, clock):
    # An archive piece dated years ago that arrives now stays in the window: the next copy joins it.
    old = NOW - timedelta(days=7 * 365)
    engine = StoryEngine(StorySettings(window_days=3, reach_days=3), e5, clock)
    _run(engine, _article("Oder floods Wroclaw", FLOOD, published=old), 1, 100)
    again, story = _run(engine, _article("Oder floods Wroclaw", FLOOD + " Updated.", published=old), 2, 101)
    assert story == 100 and again.reason in {"text-duplicate", "near-duplicate", "similar"}
    clock.advance(4 * 86400)
    assert engine.assign(_article("Oder floods Wroclaw", FLOOD, published=old)).reason == "new"
