"""vote.py: readability's text corrects trafilatura's, and link-text lines go."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from trafilatura.utils import load_html

from monitor.content.second_opinion import readability_text
from monitor.content.vote import drop_link_lines, link_text, reconcile

ARTICLE = [
    "The city council approved the new budget on Tuesday after a debate that lasted more than six hours "
    "and ended with a narrow vote of the members present.",
    "Council members said the plan would fund three new schools and repair the old bridge over the river, "
    "which has been closed to lorries since the floods.",
    "Opposition members argued that the tax increase would hurt small businesses in the historic centre "
    "and asked for the vote to be held again next month, when the members who were away on Tuesday "
    "could take part.",
    "The mayor said the vote showed that the city was ready to invest in its future, despite the costs "
    "that the new schools and the bridge would bring.",
]
TEASERS = ["- Man who opened the city's first Chinese restaurant dies (2 comments)",
           "- Council rejects cash for return to weekly bin collections (26 comments)",
           "- Stagecoach pledges to look at improving the bus station (12 comments)"]


def test_the_tail_readability_leaves_out_is_cut() -> None:
    text = "\n".join([*ARTICLE, "Have your say", *TEASERS])
    assert reconcile(text, "\n".join(ARTICLE)) == "\n".join(ARTICLE)


def test_a_paragraph_trafilatura_skipped_is_put_back_in_place() -> None:
    skipped = [ARTICLE[0], ARTICLE[1], ARTICLE[3]]
    assert reconcile("\n".join(skipped), "\n".join(ARTICLE)) == "\n".join(ARTICLE)


def test_a_lone_teaser_after_the_article_is_not_borrowed() -> None:
    teaser = ("Police are looking for the driver of a car with foreign plates who did not stop at a check "
              "on the motorway near the border on Saturday night and drove away at high speed, they said.")
    assert reconcile("\n".join(ARTICLE), "\n".join([*ARTICLE, teaser])) == "\n".join(ARTICLE)


def test_readability_disagreeing_on_the_article_changes_nothing_but_the_tail() -> None:
    other = "A different story altogether, about the weather and the football results of the weekend."
    assert reconcile("\n".join(ARTICLE), other) == "\n".join(ARTICLE)
    assert reconcile("\n".join(ARTICLE), "") == "\n".join(ARTICLE)


def page(body: str) -> etree._Element:
    return load_html(f"<html><head><title>Budget approved</title></head><body>{body}</body></html>")


def test_lines_of_link_text_are_dropped_but_not_the_headline() -> None:
    links = "".join(f"<li><a href='/{i}'>{t[2:]}</a></li>" for i, t in enumerate(TEASERS))
    tree = page(f"<h1><a href='/budget'>Budget approved by the city council</a></h1><ul>{links}</ul>")
    text = "\n".join(["Budget approved by the city council", *ARTICLE, *TEASERS])
    kept = drop_link_lines(text, link_text(tree), ["Budget approved by the city council"])
    assert kept == "\n".join(["Budget approved by the city council", *ARTICLE])


def test_a_sentence_with_a_link_in_it_stays() -> None:
    tree = page("<p>The <a href='/council'>city council</a> approved the new budget.</p>")
    assert drop_link_lines(ARTICLE[0], link_text(tree), []) == ARTICLE[0]


def test_readability_reads_a_copy_of_the_tree() -> None:
    tree = page("<nav><a href='/'>Home</a></nav><article>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
                + "</article><script>var x = 1;</script><div hidden>secret</div>")
    before = etree.tostring(deepcopy(tree))
    text = readability_text(tree)
    assert text.split("\n") == ARTICLE
    assert etree.tostring(tree) == before
