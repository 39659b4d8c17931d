"""The main text of a parsed page: trafilatura, cleaned by the boilerplate post-filter, checked by a
second extractor (vote.py), and without lines made of link text.

trafilatura runs with `url=` on a tree we parsed ourselves, never with its downloader, and without its
metadata pass (headline.py names the article, metadata.py dates it). Its in-document deduplication,
when enabled, gets a fresh cache per call: the library's default cache is process-wide, so one page's
paragraphs would silently vanish from the next page.

Precision mode measures best overall but now and then keeps only a teaser block of an article; when
its text is short and a recall-mode pass finds several times more, the recall text is taken.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.deduplication import LRUCache
from trafilatura.settings import Document

from monitor.content.boilerplate import strip_boilerplate
from monitor.content.second_opinion import readability_text
from monitor.content.settings import ContentSettings
from monitor.content.vote import drop_link_lines, link_text, reconcile

_DEDUP_CACHE_SIZE = 4096
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")


def _run(tree: HtmlElement, url: str, settings: ContentSettings, *, precision: bool,
         recall: bool) -> Document | None:
    dedup: bool | LRUCache = LRUCache(maxsize=_DEDUP_CACHE_SIZE) if settings.deduplicate else False
    with warnings.catch_warnings():
        # htmldate hands page dates with zone names like "CST" to dateutil, which warns; we keep UTC.
        warnings.filterwarnings("ignore", message=r"tzname .* identified but not understood")
        result = bare_extraction(
            tree, url=url, favor_precision=precision, favor_recall=recall, include_comments=False,
            include_tables=settings.include_tables, deduplicate=dedup, with_metadata=False,
        )
    return result if isinstance(result, Document) else None


def _tidy_line(line: str) -> str:
    """Collapse runs of spaces/tabs; a table row '| a |  | b |' becomes 'a | b'."""
    line = _SPACES.sub(" ", line).strip()
    if line.startswith("|") and line.endswith("|"):
        line = " | ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    return line


def _clean(document: Document | None, settings: ContentSettings) -> str:
    if document is None or not document.text:
        return ""
    lines = [_tidy_line(line) for line in document.text.split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    return strip_boilerplate(text) if settings.strip_boilerplate else text


def _trafilatura_text(tree: HtmlElement, url: str, settings: ContentSettings) -> str:
    text = _clean(_run(tree, url, settings, precision=settings.favor_precision,
                       recall=settings.favor_recall), settings)
    if settings.favor_precision and len(text) < settings.recall_rescue_below_chars:
        rescue = _clean(_run(tree, url, settings, precision=False, recall=True), settings)
        if len(text) < settings.recall_rescue_ratio * len(rescue):
            text = rescue
    return text


def main_text(tree: HtmlElement, url: str, settings: ContentSettings, headlines: Iterable[str] = ()) -> str:
    """The text of the page's main content, one paragraph a line; "" when there is none.

    `headlines` are the page's names for its article: a line that is one of them stays even when it is
    also link text.
    """
    text = _trafilatura_text(tree, url, settings)
    if text and settings.second_opinion:
        text = reconcile(text, readability_text(tree))
    if text and settings.drop_link_lines:
        text = drop_link_lines(text, link_text(tree), headlines)
    return text
