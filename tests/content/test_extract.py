"""extract_article beyond the golden pages: refusals, fallbacks, encodings, language and settings."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.content.extract import extract_article
from monitor.content.settings import ContentSettings
from monitor.errors import ExtractionError
from monitor.models import Page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SITE = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "site"  # the pages the demo serves
URL = "https://news.example.com/2019/02/story.html"
PARAGRAPHS = [
    "The city council approved the new budget on Tuesday after a debate that lasted more than six hours.",
    "Council members said the plan would fund three new schools and repair the old bridge over the river.",
    "Opposition members argued that the tax increase would hurt small businesses in the historic centre.",
    "The mayor said the vote showed that the city was ready to invest in its future, despite the costs.",
]


def html(body: str = "", head: str = "", lang: str = "en") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>'
            f"<nav><a href='/'>Home</a><a href='/world'>World</a></nav>"
            f"<article>{body or paragraphs}</article><footer>© 2019 Example</footer></body></html>").encode()


def page(body: bytes, content_type: str = "text/html", charset: str | None = None, url: str = URL) -> Page:
    return Page(url=url, requested_url=url, status=200, content_type=content_type, body=body, charset=charset)


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 not a web page"),
    ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("image/jpeg", html()),  # even HTML-looking bytes: the server said it is an image
    ("application/octet-stream", b"%PDF-1.7 binary"),
    ("", b"\x89PNG\r\n\x1a\n"),
])
def test_non_html_is_refused_naming_the_url(content_type: str, body: bytes) -> None:
    with pytest.raises(ExtractionError) as info:
        extract_article(page(body, content_type))
    assert info.value.url == URL and "not an HTML page" in info.value.reason


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_empty_body_is_refused(body: bytes) -> None:
    with pytest.raises(ExtractionError, match="empty body"):
        extract_article(page(body))


def test_page_without_article_text_is_refused() -> None:
    chrome_only = b"<html><body><nav><a href='/'>Home</a></nav><footer>(c) 2019</footer></body></html>"
    with pytest.raises(ExtractionError, match=r"no extractable text|too short"):
        extract_article(page(chrome_only))


def test_short_text_below_the_setting_is_refused_and_accepted_when_lowered() -> None:
    short = html(body="<p>Council approves the budget after a long debate on Tuesday evening.</p>")
    with pytest.raises(ExtractionError, match="too short"):
        extract_article(page(short))
    article = extract_article(page(short), settings=ContentSettings(min_text_chars=10))
    assert "Council approves the budget" in article.text


@pytest.mark.parametrize("content_type",
                         ["application/xhtml+xml", "", "application/octet-stream", "text/plain"])
def test_html_under_a_vague_content_type_is_sniffed(content_type: str) -> None:
    assert PARAGRAPHS[0] in extract_article(page(html(), content_type)).text


def test_paragraphs_are_separate_lines() -> None:
    lines = extract_article(page(html())).text.split("\n")
    assert [line for line in lines if line] == PARAGRAPHS


def test_fallbacks_when_the_page_has_no_title_or_date() -> None:
    when = datetime(2019, 2, 11, 8, 0, tzinfo=UTC)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    bare = f"<html><body><div>{body}</div></body></html>".encode()
    article = extract_article(page(bare, url="https://example.com/x"), fallback_title="Feed title",
                              fallback_published=when)
    assert (article.title, article.published) == ("Feed title", when)


def test_page_metadata_wins_over_fallbacks() -> None:
    head = ('<title>Budget approved | Example News</title>'
            '<meta property="og:title" content="Budget approved">'
            '<meta property="article:published_time" content="2019-02-12T10:30:00+02:00">')
    article = extract_article(page(html(head=head)), fallback_title="Feed title",
                              fallback_published=datetime(2020, 1, 1, tzinfo=UTC))
    assert article.title == "Budget approved"
    assert article.published == datetime(2019, 2, 12, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(("head", "expected"), [
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2019-02-10T22:15:00Z"}'
     "</script>", datetime(2019, 2, 10, 22, 15, tzinfo=UTC)),
    ('<meta name="pubdate" content="2019-02-10 22:15:00">', datetime(2019, 2, 10, 22, 15, tzinfo=UTC)),
    ('<meta property="article:published_time" content="Sun, 10 Feb 2019 22:15:00 GMT">',
     datetime(2019, 2, 10, 22, 15, tzinfo=UTC)),
])
def test_published_time_sources(head: str, expected: datetime) -> None:
    published = extract_article(page(html(head=head))).published
    assert published == expected and published.tzinfo is not None


def test_canonical_link_on_another_site_is_ignored() -> None:
    head = '<link rel="canonical" href="https://aggregator.example.org/copied/story">'
    article = extract_article(page(html(head=head), url=URL + "?utm_source=rss#top"))
    assert article.canonical_url == URL


def test_stale_lang_attribute_loses_to_confident_detection() -> None:
    arabic = ["تعرض آخر جيب لتنظيم داعش في شرق سوريا للقصف بضربات جوية ومدفعية يوم الإثنين، ضمن هجوم تدعمه "
              "الولايات المتحدة، بهدف انتزاع السيطرة على آخر موطئ قدم للتنظيم.",
              "وقالت قوات سوريا الديمقراطية، إن قواتها واجهت إطلاق نار من قناصة، بالإضافة إلى ألغام أرضية "
              "مضيفة أنها تتقدم ببطء لتفادي وقوع خسائر.",
              "وذكرت أنه لا يزال مقاتلون أجانب من داعش يتحصنون في المنطقة، وأشارت إلى أن الضربات الجوية دمرت "
              "مخازن ومركبات لداعش."]
    body = "".join(f"<p>{paragraph}</p>" for paragraph in arabic)
    assert extract_article(page(html(body=body, lang="en-US"))).language == "ar"
    assert extract_article(page(html(lang="en-GB"))).language == "en"


def test_language_is_detected_when_the_page_declares_none() -> None:
    body = html().replace(b' lang="en"', b"")
    assert extract_article(page(body)).language == "en"


def test_legacy_encoding_declared_only_in_meta() -> None:
    source = (SITE / "ar-baghouz-airstrikes.html").read_text(encoding="utf-8")
    legacy = source.replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    body = legacy.encode("cp1256", "replace")
    article = extract_article(page(body))
    assert "تعرض آخر جيب لتنظيم داعش في شرق سوريا" in article.text


def test_no_state_leaks_between_calls() -> None:
    # trafilatura's own dedup cache is process-wide; ours is per call, so repeats give the same text
    settings = ContentSettings(deduplicate=True)
    texts = {extract_article(page(html()), settings=settings).text for _ in range(4)}
    assert len(texts) == 1 and PARAGRAPHS[-1] in texts.pop()


def test_recall_pass_rescues_a_page_where_precision_keeps_only_a_teaser() -> None:
    # a DAniEL benchmark page (newsland.ru): precision mode keeps a 250-character teaser of another story
    body = gzip.decompress((PAGES / "daniel_newsland_ru.html.gz").read_bytes())
    story = "Исследователи лаборатории используют костюм главным образом"
    default = extract_article(page(body, url="https://newsland.ru/news/detail/id/123"))
    assert story in default.text and default.language == "ru"
    no_rescue = ContentSettings(recall_rescue_below_chars=0, min_text_chars=0)
    assert story not in extract_article(page(body), settings=no_rescue).text


def test_a_date_found_only_in_the_url_is_a_last_resort() -> None:
    bare = html().replace(b"<head>", b"<head><title>Budget approved</title>")
    url = "https://example.com/2019/02/12/budget-approved.html"
    feed_time = datetime(2019, 2, 12, 17, 45, tzinfo=UTC)
    assert extract_article(page(bare, url=url), fallback_published=feed_time).published == feed_time
    assert extract_article(page(bare, url=url)).published == datetime(2019, 2, 12, tzinfo=UTC)
