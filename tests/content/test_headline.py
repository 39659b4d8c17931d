"""headline.py: the article's headline rather than the site's name, without site or section decorations."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from monitor.content.headline import choose_headline, page_names, strip_decorations

URL = "https://www.dailyexample.co.uk/news/2012/01/story.html"


@pytest.mark.parametrize(("title", "sites", "expected"), [
    ("Scientists find fat is the sixth human taste - Telegraph", ("Telegraph.co.uk",),
     "Scientists find fat is the sixth human taste"),
    ("Budget approved | Politics | Daily Example", ("Daily Example",), "Budget approved"),
    ("ΡΙΖΟΣΠΑΣΤΗΣ : Επίθεση σε Καλόπουλο", (), "Επίθεση σε Καλόπουλο"),
    ("NEWSmsk.com в Москве: Карантин в Доме ребенка завершен", (), "Карантин в Доме ребенка завершен"),
    ("惠誉预计希腊将在3月20日债务违约_美股新闻_新浪财经_新浪网", (), "惠誉预计希腊将在3月20日债务违约"),
    ("花蓮縣衛生局年貨稽查結果出爐-生活新聞-新浪新聞中心", ("新浪新聞中心",),
     "花蓮縣衛生局年貨稽查結果出爐-生活新聞"),
    # a dash or colon inside the headline stays: only a part naming the site goes
    ("Grypa – co musisz o niej wiedzieć | Zdrowiutko.info - żyj zdrowo bez chorób!", (),
     "Grypa – co musisz o niej wiedzieć"),
    ("Flu: what you need to know - in.gr", (), "Flu: what you need to know"),
    ("Council approves the budget", ("Daily Example",), "Council approves the budget"),
])
def test_decorations_are_stripped(title: str, sites: tuple[str, ...], expected: str) -> None:
    assert strip_decorations(title, sites) == expected


def headline(head: str, body: str, fallback_title: str = "", url: str = URL) -> str:
    html = f"<html><head>{head}</head><body>{body}<p>Some text of the article.</p></body></html>"
    return choose_headline(page_names(load_html(html), url, fallback_title))


def test_a_logo_h1_loses_to_the_title() -> None:
    # the "eMoney News": the only h1 is the site's logo, <title> has the headline
    title = "News in-depth: One-third of school-leavers is obese, report finds"
    assert headline(f"<title>{title}</title>", "<h1>eMoney News</h1>") == title


def test_the_h1_the_title_repeats_wins_over_the_logo_h1() -> None:
    head = "<title>News &amp; Star | Opinion | Lessons to be learned from a sorry situation</title>"
    body = "<h1>News &amp; Star</h1><h1>Lessons to be learned from a sorry situation</h1><h1>SHARE THIS</h1>"
    assert headline(head, body) == "Lessons to be learned from a sorry situation"


def test_a_heading_element_confirms_the_middle_of_a_decorated_title() -> None:
    head = "<title>ΤΟ ΒΗΜΑ - Η οδοντόβουρτσα νικά την πνευμονία - science - Ιατρική</title>"
    body = "<div class='article-title'>Η οδοντόβουρτσα νικά την πνευμονία</div>"
    assert headline(head, body) == "Η οδοντόβουρτσα νικά την πνευμονία"


def test_og_title_wins_over_a_section_suffixed_h1_it_does_not_repeat() -> None:
    head = ("<title>Grypa – co musisz o niej wiedzieć | Zdrowiutko.info</title>"
            "<meta property='og:title' content='Grypa – co musisz o niej wiedzieć'>")
    body = "<div class='entry-title'>Grypa – co musisz o niej wiedzieć Zdrowie</div>"
    assert headline(head, body) == "Grypa – co musisz o niej wiedzieć"


def test_the_feed_title_is_used_when_the_page_names_only_the_site() -> None:
    head = "<title>Daily Example</title><meta property='og:site_name' content='Daily Example'>"
    assert headline(head, "<h1>Daily Example</h1>", fallback_title="Council approves the budget") \
        == "Council approves the budget"


def test_the_marked_headline_wins() -> None:
    head = "<title>Hiszpania. Strajkują piloci Iberii | rp.pl</title>"
    body = "<h1 itemprop='headline'>Strajk pilotów Iberii</h1>"
    assert headline(head, body) == "Strajk pilotów Iberii"


def test_no_names_give_the_first_h1_or_nothing() -> None:
    assert headline("", "<h1>Only a heading</h1>") == "Only a heading"
    assert headline("", "<div>nothing</div>") == ""
