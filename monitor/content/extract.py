"""Page -> Article: the `content.extract` stage (pure).

Refuse what is not an HTML page, decode the bytes, read what the markup declares (language, canonical
link, publication time), name the article (headline.py), take the main text (maintext.py: trafilatura,
a boilerplate post-filter and readability's vote), and settle date and language with the caller's
fallbacks.
"""

from __future__ import annotations

import re
from datetime import datetime

from trafilatura.utils import load_html

from monitor.content import metadata
from monitor.content.canonical import canonical_href, resolve_canonical
from monitor.content.headline import choose_headline, page_names
from monitor.content.language import choose_language
from monitor.content.maintext import main_text
from monitor.content.page_charset import decode_body
from monitor.content.settings import ContentSettings
from monitor.errors import ExtractionError
from monitor.libxml2_lock import one_thread_in_libxml2
from monitor.models import Article, Page
from monitor.net.headers import media_type

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Types a misconfigured server may send for HTML: sniff the body before refusing.
_SNIFF_TYPES = ("", "application/octet-stream", "text/plain", "application/xml", "text/xml")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p)\b",
                         re.IGNORECASE | re.DOTALL)


def _check_html(page: Page) -> None:
    mime = media_type(page.content_type)
    if not page.body.strip():
        raise ExtractionError(page.url, "empty body")
    if mime in _HTML_TYPES:
        return
    if mime in _SNIFF_TYPES and _HTML_START.match(page.body[:2048].lstrip(b"\xef\xbb\xbf")):
        return
    raise ExtractionError(page.url, f"not an HTML page (content type {mime or 'unknown'})")


@one_thread_in_libxml2
def extract_article(page: Page, *, source: str = "", tags: tuple[str, ...] = (), fallback_title: str = "",
                    fallback_published: datetime | None = None,
                    settings: ContentSettings | None = None) -> Article:
    """The readable article of `page`; raises ExtractionError when the page holds none."""
    settings = settings or ContentSettings()
    _check_html(page)
    tree = load_html(decode_body(page.body, page.charset))
    if tree is None:
        raise ExtractionError(page.url, "unparseable HTML")
    declared_lang = metadata.html_language(tree)
    declared = canonical_href(tree)
    canonical = resolve_canonical(page.url, declared)
    names = page_names(tree, page.url, fallback_title)
    title = choose_headline(names)
    text = main_text(tree, page.url, settings, headlines=(title, *names.all_texts()))
    if not text:
        raise ExtractionError(page.url, "no extractable text")
    if len(text) < settings.min_text_chars:
        reason = f"main text too short ({len(text)} < {settings.min_text_chars} chars)"
        raise ExtractionError(page.url, reason)
    # a time the markup declares, else the feed's (a full time), else a date htmldate finds elsewhere
    published = metadata.published_time(tree) or fallback_published or metadata.page_date(tree, canonical)
    return Article(
        url=page.url,
        canonical_url=canonical,
        title=title,
        text=text,
        language=choose_language(declared_lang, f"{title}\n{text}", settings.min_language_confidence),
        published=published,
        source=source,
        tags=tuple(tags),
        declared_canonical=declared or "",
    )
