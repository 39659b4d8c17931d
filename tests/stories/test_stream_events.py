"""Events of one topic on a stream, with the bundled e5 model: different events stay apart, copies and
translations of one event join it, and an alerted story keeps to its event."""

from datetime import UTC, datetime, timedelta

import pytest

from monitor.clock import FakeClock
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput
from monitor.stories.settings import StorySettings

NIGHT = datetime(2026, 3, 7, 23, tzinfo=UTC)

WAREHOUSE = ("Fire crews fought a blaze at a furniture warehouse in Harrowgate overnight. The fire "
             "broke out shortly after 11 pm on Saturday in the industrial estate on Mill Lane, and 60 "
             "firefighters with twelve engines were sent to the scene. Residents of nearby streets were "
             "told to keep windows closed because of heavy smoke. Nobody was injured, the county fire "
             "service said on Sunday morning, and the cause of the fire is under investigation.")
WAREHOUSE_2 = ("A large fire destroyed a furniture warehouse on Mill Lane in Harrowgate on Saturday "
               "night. About 60 firefighters and twelve fire engines battled the flames, which started "
               "around 11 pm. Thick smoke drifted over the town and people living nearby were asked to "
               "shut their windows. The county fire service said no one was hurt; investigators are "
               "trying to find out how it began.")
WAREHOUSE_DE = ("Die Feuerwehr hat in der Nacht einen Brand in einem Möbellager in Harrowgate bekämpft. "
                "Das Feuer brach am Samstag kurz nach 23 Uhr im Industriegebiet an der Mill Lane aus, "
                "60 Feuerwehrleute mit zwölf Löschfahrzeugen waren im Einsatz. Anwohner der umliegenden "
                "Straßen wurden wegen des starken Rauchs aufgefordert, die Fenster geschlossen zu "
                "halten. Verletzt wurde niemand, teilte die Feuerwehr der Grafschaft am Sonntagmorgen "
                "mit; die Brandursache wird ermittelt.")
HOUSE = ("Firefighters were called to a house fire in Kelbrook late on Saturday. Flames were seen "
         "coming from the roof of a terraced house on Church Street at about midnight, and four engines "
         "attended. A family of four escaped unhurt after a smoke alarm woke them, the fire service "
         "said. A woman was treated for smoke inhalation. Officers believe the fire started in the "
         "kitchen.")
HOUSE_2 = ("A family of four escaped from their burning home in Kelbrook on Saturday night after being "
           "woken by a smoke alarm. The fire at the terraced house on Church Street started in the "
           "kitchen shortly before midnight and spread to the roof. Four fire engines attended and a "
           "woman was treated for smoke inhalation, the fire service said on Sunday.")
DEALERSHIP = ("Firefighters in Harrowgate were called out again on Sunday evening, this time to a car "
              "dealership on Station Road, where eight vehicles on the forecourt were set alight. "
              "Twenty firefighters with four engines put out the flames. Police said they were treating "
              "the fire as arson and appealed for witnesses; the county fire service said no one was "
              "hurt.")
VENEZUELA = ("The European Union called on Venezuela on Monday to release the opposition lawmakers "
             "arrested in Caracas over the weekend. In a statement, the EU's foreign policy chief said "
             "the detention of the three members of the National Assembly was a serious blow to efforts "
             "to find a political way out of the crisis, and urged the government of Nicolás Maduro to "
             "respect parliamentary immunity.")
VENEZUELA_2 = ("Three Venezuelan opposition deputies detained in Caracas on Saturday must be freed, the "
               "EU said on Monday. Security agents took the members of the National Assembly from their "
               "homes, their party said. Brussels warned that the arrests undermined the search for a "
               "negotiated solution and that Nicolás Maduro's government had to respect the immunity of "
               "lawmakers.")
BELARUS = ("The European Union on Monday condemned the sentencing of five journalists in Belarus. A "
           "court in Minsk gave the reporters, who had covered the protests after the presidential "
           "election, prison terms of up to four years. The EU's foreign policy chief said the verdicts "
           "showed the contempt of Alexander Lukashenko's authorities for press freedom and announced "
           "further sanctions.")
BELARUS_2 = ("A court in Minsk jailed five journalists for up to four years on Monday for their "
             "reporting on last year's protests, drawing condemnation from the European Union. Brussels "
             "said the sentences were politically motivated, called for the reporters' release and said "
             "it was preparing new sanctions against officials of Alexander Lukashenko's government.")


def _article(title, text, minutes, lang="en"):
    return ArticleInput(title, text, lang, NIGHT + timedelta(minutes=minutes))


class Stream:
    """Articles placed one by one as `monitor cluster` does; `story[n]` follows merges."""

    def __init__(self, engine):
        self.engine, self.assignments, self._story, self._merged = engine, [], [], {}

    def add(self, item):
        assignment = self.engine.assign(item)
        story = assignment.story_id if assignment.story_id is not None else len(self._story)
        self.engine.commit(len(self._story), story, item, assignment)
        for other in assignment.also:
            self.engine.merge(story, other)
            self._merged[other] = story
        self._story.append(story)
        self.assignments.append(assignment)
        return assignment

    def story(self, n):
        story = self._story[n]
        while story in self._merged:
            story = self._merged[story]
        return story


@pytest.fixture
def stream(e5):
    return Stream(StoryEngine(StorySettings(), e5, FakeClock(NIGHT + timedelta(hours=3))))


FIRES = [_article("Warehouse blaze in Harrowgate: 60 firefighters at Mill Lane", WAREHOUSE, 0),
         _article("Family escapes house fire in Kelbrook", HOUSE, 50),
         _article("Furniture warehouse destroyed by fire in Harrowgate", WAREHOUSE_2, 70),
         _article("Smoke alarm saves Kelbrook family as kitchen fire spreads to roof", HOUSE_2, 90)]


def test_two_fires_in_two_towns_the_same_night_stay_two_stories(stream):
    for item in FIRES:  # warehouse, house, warehouse, house
        stream.add(item)
    assert stream.story(0) == stream.story(2) and stream.story(1) == stream.story(3)
    assert stream.story(0) != stream.story(1)
    assert stream.assignments[1].reason == "new"


def test_two_statements_about_two_countries_stay_two_stories(stream):
    for item in (_article("EU urges Venezuela to free arrested opposition lawmakers", VENEZUELA, 0),
                 _article("EU condemns prison terms for five journalists in Belarus", BELARUS, 20),
                 _article("Venezuela: EU demands release of three deputies held in Caracas", VENEZUELA_2, 40),
                 _article("Belarus court jails five reporters; EU prepares sanctions", BELARUS_2, 60)):
        stream.add(item)
    assert stream.story(0) == stream.story(2) and stream.story(1) == stream.story(3)
    assert stream.story(0) != stream.story(1)


SPAIN = ("Spain recorded 950 deaths from the coronavirus in the past 24 hours, the health ministry said on "
         "Thursday, the highest daily toll since the epidemic began. Hospitals in Madrid are close to "
         "capacity and the government has extended the lockdown by two weeks.")
FRANCE = ("France recorded 1,355 deaths from the coronavirus in the past 24 hours, the health ministry said "
          "on Thursday, the highest daily toll since the epidemic began. Hospitals in Paris are close to "
          "capacity and the government has extended the lockdown by two weeks.")
SPAIN_TR = ("İspanya Sağlık Bakanlığı, son 24 saatte koronavirüs nedeniyle 950 kişinin hayatını kaybettiğini "
            "açıkladı. Madrid'deki hastaneler kapasitelerinin sınırına ulaştı ve hükümet karantinayı iki "
            "hafta uzattı.")
FRANCE_TR = ("Fransa Sağlık Bakanlığı, son 24 saatte koronavirüs nedeniyle 1355 kişinin hayatını "
             "kaybettiğini açıkladı. Paris'teki hastaneler kapasitelerinin sınırına ulaştı ve hükümet "
             "karantinayı iki hafta uzattı.")


def test_the_day_s_toll_in_two_countries_stays_two_stories_across_languages(stream):
    for item in (_article("Spain records 950 coronavirus deaths in a day", SPAIN, 0),
                 _article("France records 1,355 coronavirus deaths in a day", FRANCE, 20),
                 _article("İspanya'da son 24 saatte 950 kişi koronavirüsten öldü", SPAIN_TR, 40, "tr"),
                 _article("Fransa'da son 24 saatte 1355 kişi koronavirüsten öldü", FRANCE_TR, 60, "tr")):
        stream.add(item)
    assert stream.story(0) == stream.story(2) and stream.story(1) == stream.story(3)
    assert stream.story(0) != stream.story(1)


def test_a_wire_copy_and_a_translation_join_the_event(stream):
    stream.add(FIRES[0])
    stream.add(FIRES[1])
    wire = "HARROWGATE (Agency) - " + WAREHOUSE  # an agency's copy: a dateline, the same words
    copy = stream.add(_article("Harrowgate warehouse fire", wire, 80))
    translation = stream.add(_article("Großbrand in Möbellager in Harrowgate: 60 Feuerwehrleute im Einsatz",
                                      WAREHOUSE_DE, 100, lang="de"))
    assert copy.reason == "near-duplicate" and translation.reason == "similar"
    assert stream.story(2) == stream.story(3) == stream.story(0) != stream.story(1)
    assert "Harrowgate" in translation.shared  # the names behind the decision, as the article writes them


def test_an_alerted_story_does_not_take_in_a_different_event(e5):
    dealership = _article("Cars set alight at Harrowgate dealership, police suspect arson", DEALERSHIP, 1200)
    wire = "HARROWGATE (Agency) - " + WAREHOUSE
    for alerted in (False, True):
        stream = Stream(StoryEngine(StorySettings(), e5, FakeClock(NIGHT + timedelta(hours=21))))
        stream.add(FIRES[0])
        stream.add(FIRES[2])
        if alerted:
            stream.engine.mark_alerted(stream.story(0))
        other = stream.add(dealership)
        copy = stream.add(_article("Harrowgate warehouse fire", wire, 1210))
        assert stream.story(3) == stream.story(0)  # a copy of the alerted event still joins it
        if not alerted:  # same town, same fire service: it fits, weakly
            assert other.reason == "similar" and stream.story(2) == stream.story(0)
        else:  # it starts its own story, whose alert goes out on its own
            assert other.reason == "new" and stream.story(2) != stream.story(0)
        assert copy.reason == "near-duplicate"


def test_a_story_idle_past_the_window_is_reopened_by_its_event_only(e5):
    """Days after its last article a story is dormant: a follow-up of its event joins it, a resemblance
    (the same town's fire service, another fire) starts a story of its own; past reach_days it is gone."""
    dealership = ("Cars set alight at Harrowgate dealership, police suspect arson", DEALERSHIP)
    rewrite = ("Furniture warehouse destroyed by fire in Harrowgate", WAREHOUSE_2)
    for gap, dormant in ((timedelta(hours=20), False), (timedelta(days=5), True)):
        clock = FakeClock(NIGHT)
        stream = Stream(StoryEngine(StorySettings(), e5, clock))
        stream.add(FIRES[0])
        clock.set(NIGHT + gap)
        minutes = gap.total_seconds() / 60
        other = stream.add(_article(*dealership, minutes))
        follow_up = stream.add(_article(*rewrite, minutes + 5))
        assert follow_up.reason == "similar" and stream.story(2) == stream.story(0)
        if dormant:
            assert other.reason == "new" and stream.story(1) != stream.story(0)
        else:
            assert other.reason == "similar" and stream.story(1) == stream.story(0)
    clock = FakeClock(NIGHT)
    stream = Stream(StoryEngine(StorySettings(reach_days=14), e5, clock))
    stream.add(FIRES[0])
    clock.set(NIGHT + timedelta(days=15))
    assert stream.add(_article(*rewrite, 15 * 1440)).reason == "new"  # out of the window for good
