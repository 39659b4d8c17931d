"""The same text on one site under names of different articles is the site's notice, not a copy."""

from __future__ import annotations

from monitor.content.notice import names_another_article, site_notice

NOTICE_TITLE = "Access limited"


def test_the_same_text_on_the_same_site_under_another_articles_name_is_a_notice() -> None:
    reason = site_notice("https://news.example.pl/a/2.html", "Floods cut off three villages",
                         "https://www.news.example.pl/a/1.html", NOTICE_TITLE)
    assert reason is not None and "https://www.news.example.pl/a/1.html" in reason


def test_a_copy_under_the_same_name_or_on_another_site_stays_a_copy() -> None:
    title = "Parliament passes the new media law after a night of debate"
    assert site_notice("https://news.example.pl/amp/1.html", "Parliament passes new media law",
                       "https://news.example.pl/a/1.html", title) is None
    assert site_notice("https://partner.example.com/1.html", "Floods cut off three villages",
                       "https://news.example.pl/a/1.html", title) is None


def test_titles_that_say_too_little_never_make_a_notice() -> None:
    assert not names_another_article("", NOTICE_TITLE)
    assert not names_another_article("12 | 3", NOTICE_TITLE)
    assert names_another_article("Floods cut off three villages", NOTICE_TITLE)
    assert not names_another_article("Floods cut off three villages", "Three villages cut off by floods")
