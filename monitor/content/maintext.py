"""The main text of a parsed page, by trafilatura, cleaned by the boilerplate post-filter.

trafilatura runs with `url=` on a tree we parsed ourselves, never with its downloader. Its in-document
deduplication, when enabled, gets a fresh cache per call: the library's default cache is process-wide,
so one page's paragraphs would silently vanish from the next page.

Precision mode measures best overall but now and then keeps only a teaser block of an article; when
its text is short and a recall-mode pass finds several times more, the recall text is taken.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.deduplication import LRUCache
from trafilatura.settings import Document

from monitor.content.boilerplate import strip_boilerplate
from monitor.content.settings import ContentSettings

_DEDUP_CACHE_SIZE = 4096
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class MainText:
    text: str
    title: str
    date: str | None  # trafilatura's 'YYYY-MM-DD', used only when the markup declares no time


def _run(tree: HtmlElement, url: str, settings: ContentSettings, *, precision: bool, recall: bool,
         with_metadata: bool) -> Document | None:
    dedup: bool | LRUCache = LRUCache(maxsize=_DEDUP_CACHE_SIZE) if settings.deduplicate else False
    with warnings.catch_warnings():
        # htmldate hands page dates with zone names like "CST" to dateutil, which warns; we keep UTC.
        warnings.filterwarnings("ignore", message=r"tzname .* identified but not understood")
        result = bare_extraction(
            tree, url=url, favor_precision=precision, favor_recall=recall, include_comments=False,
            include_tables=settings.include_tables, deduplicate=dedup, with_metadata=with_metadata,
            date_extraction_params=_DATE_PARAMS,
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


def main_text(tree: HtmlElement, url: str, settings: ContentSettings) -> MainText:
    """Title, text and date of the page's main content; empty text when there is none."""
    document = _run(tree, url, settings, precision=settings.favor_precision, recall=settings.favor_recall,
                    with_metadata=True)
    text = _clean(document, settings)
    if settings.favor_precision and len(text) < settings.recall_rescue_below_chars:
        recall_pass = _run(tree, url, settings, precision=False, recall=True, with_metadata=False)
        rescue = _clean(recall_pass, settings)
        if len(text) < settings.recall_rescue_ratio * len(rescue):
            text = rescue
    title = (document.title or "").strip() if document else ""
    return MainText(text=text, title=title, date=document.date if document else None)
