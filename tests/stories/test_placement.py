from monitor.stories.placement import Fit, place
from monitor.stories.similarity import load_similarity
from monitor.stories.thresholds import Thresholds, margin


def _fit(story_id, score, whole, strong=False, threshold=0.5):
    return Fit(story_id, score, margin(score, threshold), whole, 100 + story_id, strong)


def test_the_story_that_fits_best_as_a_whole_wins_and_others_that_fit_as_wholes_merge():
    placed = place([_fit(1, 0.9, 0.4), _fit(2, 0.95, -0.1), _fit(3, 0.7, 0.2)], alerted=set())
    # story 2: one member fits, the story as a whole does not
    assert (placed.story_id, placed.member, placed.merges) == (1, 101, (3,))


def test_nothing_fits_as_a_whole_starts_a_story_with_the_best_score():
    placed = place([_fit(1, 0.6, -0.2), _fit(2, 0.4, -0.5)], alerted=set())
    assert (placed.story_id, placed.score, placed.merges) == (None, 0.6, ())


def test_an_alerted_story_takes_only_a_strong_fit_and_never_merges():
    assert place([_fit(1, 0.7, 0.3), _fit(2, 0.6, 0.1)], alerted={1}).story_id is None
    strong = place([_fit(1, 0.9, 0.3, strong=True), _fit(2, 0.6, 0.1)], alerted={1})
    assert (strong.story_id, strong.merges) == (1, ())
    other = place([_fit(2, 0.8, 0.5), _fit(1, 0.9, 0.3, strong=True)], alerted={1})
    assert (other.story_id, other.merges) == (2, ())  # the alerted story is not folded into another


def test_thresholds_per_language_pair():
    sim = load_similarity("e5-small")
    thresholds = Thresholds(0.45, {"de": 0.6, "tr": 0.7}, cross_language=0.55, alerted=0.8)

    def signals(lang, text="Die Feuerwehr löschte den Brand in der Nacht zum Sonntag."):
        return sim.signals("", text, lang, None)

    de, tr, en = signals("de"), signals("tr"), signals("en")
    arabic = signals("ar", "أطفأ رجال الإطفاء الحريق في الليل")
    assert thresholds.for_pair(de, de) == 0.6 and thresholds.for_pair(tr, tr) == 0.7
    assert thresholds.for_pair(en, en) == 0.45  # a language without a fitted threshold keeps the default
    assert thresholds.for_pair(de, en) == 0.55  # two languages, one script
    assert thresholds.for_pair(de, arabic) == 0.45  # two scripts: no dev pairs, the default
    assert Thresholds.uniform(0.6, alerted=0.5).alerted == 0.6  # an override never makes alerts easier


def test_the_shipped_thresholds_are_fitted_per_language():
    thresholds = load_similarity("e5-small").thresholds
    assert set(thresholds.languages) >= {"de", "en", "es", "tr"} and "ar" not in thresholds.languages
    assert all(t > thresholds.default for t in thresholds.languages.values())
    assert thresholds.alerted > max(thresholds.languages.values())
    override = load_similarity("e5-small", threshold=0.5).thresholds  # a user's threshold: one for all pairs
    assert (override.default, override.languages, override.alerted) == (0.5, {}, thresholds.alerted)


def test_a_dormant_story_takes_only_a_strong_fit_and_others_are_judged_without_it():
    def dormant(story_id, score, whole, strong=False):
        return Fit(story_id, score, margin(score, 0.5), whole, 100 + story_id, strong, dormant=True)

    assert place([dormant(1, 0.7, 0.3)], alerted=set()).story_id is None
    assert place([dormant(1, 0.7, 0.3), _fit(2, 0.6, 0.1)], alerted=set()).story_id == 2
    reopened = place([dormant(1, 0.9, 0.3, strong=True), _fit(2, 0.6, 0.1), _fit(3, 0.85, 0.2, strong=True)],
                     alerted=set())
    assert (reopened.story_id, reopened.merges) == (1, (3,))  # what reopens it merges strong fits only
    assert place([_fit(2, 0.6, 0.1), dormant(1, 0.7, 0.3)], alerted=set()).merges == ()


def test_an_article_fitting_two_stories_of_two_countries_joins_one_and_merges_neither():
    spain = Fit(1, 0.9, margin(0.9, 0.5), 0.4, 101, False, countries=frozenset({"ES"}))
    france = Fit(2, 0.8, margin(0.8, 0.5), 0.3, 102, False, countries=frozenset({"FR"}))
    unnamed = Fit(3, 0.7, margin(0.7, 0.5), 0.2, 103, False)
    placed = place([spain, france, unnamed], alerted=set())
    assert (placed.story_id, placed.merges) == (1, (3,))  # a story that names no country may be merged
