"""Golden files: each seed page in tests/fixtures/pages/ next to the fields its extraction must give."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from monitor.content.extract import extract_article
from monitor.models import Article, Page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SITE = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "site"  # the pages the demo serves
CASES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
BASE = "http://127.0.0.1:8000"


def extract(name: str) -> tuple[Article, dict]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    page = Page(url=f"{BASE}/{name}.html?utm_source=rss", requested_url=f"{BASE}/{name}.html", status=200,
                content_type="text/html", body=(SITE / f"{name}.html").read_bytes(), charset="utf-8")
    return extract_article(page, source="demo", tags=("seed",)), expected


def test_there_are_five_seed_pages() -> None:
    assert len(CASES) == 5


@pytest.mark.parametrize("name", CASES)
def test_metadata(name: str) -> None:
    article, expected = extract(name)
    assert article.title == expected["title"]
    assert article.language == expected["language"]
    assert article.published == datetime.fromisoformat(expected["published"])
    assert article.canonical_url == BASE + expected["canonical_path"]
    assert article.url == f"{BASE}/{name}.html?utm_source=rss"
    assert (article.source, article.tags) == ("demo", ("seed",))


@pytest.mark.parametrize("name", CASES)
def test_text_has_the_body_from_start_to_end(name: str) -> None:
    article, expected = extract(name)
    text = " ".join(article.text.split())
    for sentence in expected["contains"]:
        assert " ".join(sentence.split()) in text
    first, *_, last = expected["contains"]
    assert text.index(first[:40]) < text.index(last[:40])


@pytest.mark.parametrize("name", CASES)
def test_text_has_no_boilerplate(name: str) -> None:
    article, expected = extract(name)
    lines = [line.strip() for line in article.text.split("\n")]
    for junk in expected["excludes"]:
        assert junk.strip() not in lines
        if len(junk) > 3:
            assert junk not in article.text
    assert not any(re.fullmatch(r"[-–—\s]*", line) for line in lines if line)
    assert "\n\n\n" not in article.text
