"""Page -> Article: the `content.extract` stage (pure; trafilatura does the main-text work).

trafilatura runs on HTML we fetched ourselves, with `url=` so relative links and metadata resolve,
never with its downloader. Its in-document deduplication gets a fresh cache per call: the library's
default cache is process-wide, so one page's paragraphs would silently vanish from the next page.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.deduplication import LRUCache
from trafilatura.settings import Document
from trafilatura.utils import load_html

from monitor.content import metadata
from monitor.content.boilerplate import strip_boilerplate
from monitor.content.canonical import resolve_canonical
from monitor.content.decode import decode_body
from monitor.content.language import detect_language_with_confidence
from monitor.content.settings import ContentSettings
from monitor.errors import ExtractionError
from monitor.models import Article, Page

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Types a misconfigured server may send for HTML: sniff the body before refusing.
_SNIFF_TYPES = ("", "application/octet-stream", "text/plain", "application/xml", "text/xml")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p)\b",
                         re.IGNORECASE | re.DOTALL)
_DEDUP_CACHE_SIZE = 4096
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
# A declared language loses to the detected one only when detection is this sure: many templates
# carry a stale `lang` (an Arabic site on an English WordPress theme says lang="en-US").
_OVERRIDE_CONFIDENCE = 0.99
_OVERRIDE_MIN_CHARS = 400


def _check_html(page: Page) -> None:
    mime = page.content_type.split(";", 1)[0].strip().lower()
    if not page.body.strip():
        raise ExtractionError(page.url, "empty body")
    if mime in _HTML_TYPES:
        return
    if mime in _SNIFF_TYPES and _HTML_START.match(page.body[:2048].lstrip(b"\xef\xbb\xbf")):
        return
    raise ExtractionError(page.url, f"not an HTML page (content type {mime or 'unknown'})")


def _main_text(tree: HtmlElement, url: str, settings: ContentSettings) -> Document | None:
    dedup: bool | LRUCache = LRUCache(maxsize=_DEDUP_CACHE_SIZE) if settings.deduplicate else False
    with warnings.catch_warnings():
        # htmldate hands page dates with zone names like "CST" to dateutil, which warns; we keep UTC.
        warnings.filterwarnings("ignore", message=r"tzname .* identified but not understood")
        result = _bare_extraction(tree, url, settings, dedup)
    return result if isinstance(result, Document) else None


def _bare_extraction(tree: HtmlElement, url: str, settings: ContentSettings,
                     dedup: bool | LRUCache) -> object:
    return bare_extraction(
        tree,
        url=url,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        include_comments=False,
        include_tables=settings.include_tables,
        deduplicate=dedup,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )


def _tidy_line(line: str) -> str:
    """Collapse runs of spaces/tabs; a table row '| a |  | b |' becomes 'a | b'."""
    line = _SPACES.sub(" ", line).strip()
    if line.startswith("|") and line.endswith("|"):
        line = " | ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    return line


def _tidy(text: str) -> str:
    lines = [_tidy_line(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _language(declared: str | None, title: str, text: str, settings: ContentSettings) -> str | None:
    detected, confidence = detect_language_with_confidence(f"{title}\n{text}")
    if declared and (detected == declared or confidence < _OVERRIDE_CONFIDENCE
                     or len(text) < _OVERRIDE_MIN_CHARS):
        return declared
    return detected if confidence >= settings.min_language_confidence else declared


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
    canonical = resolve_canonical(page.url, metadata.canonical_href(tree))
    published = metadata.published_time(tree)
    document = _main_text(tree, page.url, settings)
    if document is None or not document.text:
        raise ExtractionError(page.url, "no extractable text")
    text = _tidy(document.text)
    if settings.strip_boilerplate:
        text = strip_boilerplate(text)
    if len(text) < settings.min_text_chars:
        reason = f"main text too short ({len(text)} < {settings.min_text_chars} chars)"
        raise ExtractionError(page.url, reason)
    title = (document.title or "").strip() or fallback_title
    published = published or metadata.date_only(document.date) or fallback_published
    return Article(
        url=page.url,
        canonical_url=canonical,
        title=title,
        text=text,
        language=_language(declared_lang, title, text, settings),
        published=published,
        source=source,
        tags=tuple(tags),
    )
