"""What the embedder reads: the title and the first few hundred characters of real text.

Extracted text still carries page scraps (font-size widgets, stylesheet fragments, share blocks);
short lines and lines without letters are skipped so the lead is prose.
"""

from __future__ import annotations

import re

_MIN_LINE = 25  # characters; shorter lines at the top are mostly widgets and captions
_HAS_WORD = re.compile(r"\w{3,}")


def prose_lines(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines()]
    return [ln for ln in lines if len(ln) >= _MIN_LINE and _HAS_WORD.search(ln) and "='" not in ln]


def clean_title(title: str) -> str:
    """The title, or "" when it is a page scrap ("+A", a stylesheet tail) rather than words."""
    title = " ".join(title.split())
    return title if _HAS_WORD.search(title) and "='" not in title else ""


def lead_text(title: str, text: str, chars: int) -> str:
    """Title plus about `chars` characters of leading prose (cut at a word boundary)."""
    title = clean_title(title)
    body = body_lead(title, text, chars)
    return f"{title}. {body}".strip(". ") if title else body


def body_lead(title: str, text: str, chars: int) -> str:
    """About `chars` characters of leading prose, without the title (cut at a word boundary)."""
    title = clean_title(title)
    lead: list[str] = []
    size = 0
    for line in prose_lines(text):
        if size >= chars:
            break
        if line == title:
            continue
        lead.append(line)
        size += len(line) + 1
    body = " ".join(lead)
    if len(body) > chars:
        cut = body.rfind(" ", 0, chars)
        body = body[: cut if cut > chars // 2 else chars]
    return body


def title_of(title: str, text: str) -> str:
    """The given title, or the first prose line when there is none."""
    if clean_title(title):
        return clean_title(title)
    lines = prose_lines(text)
    return lines[0][:200] if lines else ""


def title_text(title: str, text: str, lead_chars: int) -> str:
    """What the title embedding reads: the title, else the first prose line, else the lead."""
    return title_of(title, text) or lead_text(title, text, lead_chars) or "-"
