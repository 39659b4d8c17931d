"""A second extractor's reading of the page: readability-lxml, one paragraph per line.

trafilatura and readability fail on different pages: trafilatura now and then runs on into the link
lists after an article, readability now and then stops an article short. vote.py lets each correct
the other, so readability only has to give its text here.

readability-lxml normally re-parses the page and runs lxml's HTML Cleaner, whose link rewriting is half
of its cost; the tree we already parsed only needs what that cleaning did to the text (no scripts,
styles, comments or hidden elements), so `_TreeDocument` does that much on a copy of our tree.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import Unparseable

from monitor.content.boilerplate import strip_boilerplate

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NOT_TEXT = ("script", "style", "noscript", "link", "template", "iframe")
# Elements that start a new line in the text (everything else runs inline).
_BLOCKS = frozenset([
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "table",
    "blockquote", "pre", "dd", "dt", "dl", "section", "article", "header", "footer", "figure", "figcaption",
    "aside", "main",
])
_SPACES = re.compile(r"\s+")
logging.getLogger("readability.readability").setLevel(logging.CRITICAL)  # it logs every page it gives up on


class _TreeDocument(Document):  # type: ignore[misc]
    """readability's Document on a tree we parsed, cleaned of what has no text instead of re-parsed."""

    def _parse(self, input: HtmlElement) -> HtmlElement:
        for elem in input.xpath("//*[@hidden] | //*[@style]"):
            if elem.get("hidden") is not None or _HIDDEN_STYLE.search(elem.get("style") or ""):
                elem.drop_tree()
        etree.strip_elements(input, *_NOT_TEXT, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        self.encoding = "utf-8"
        return input


def _text_lines(root: etree._Element) -> list[str]:
    parts: list[str] = []

    def walk(elem: etree._Element) -> None:
        block = elem.tag in _BLOCKS
        parts.append("\n" if block else "")
        parts.append(elem.text or "")
        for child in elem:
            if isinstance(child.tag, str):
                walk(child)
            parts.append(child.tail or "")
        parts.append("\n" if block else "")

    walk(root)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def readability_text(tree: HtmlElement) -> str:
    """readability's article text for `tree` (left untouched), boilerplate lines dropped; "" when none."""
    try:
        summary = _TreeDocument(deepcopy(tree)).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError):
        return ""
    root = etree.HTML(summary) if summary and summary.strip() else None
    return "" if root is None else strip_boilerplate("\n".join(_text_lines(root)))
