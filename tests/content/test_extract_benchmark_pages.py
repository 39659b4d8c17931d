"""Golden files from the extraction benchmark's development pages (tests/fixtures/pages/benchmark/).

Each real page (gzip) sits next to what extract_article must give: the headline (and the wrong title
the page used to get), sentences of the body from start to end, lines of chrome that must not appear.
The sentences come from the benchmark's ground truth, not from extractor output.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from monitor.content.extract import extract_article
from monitor.models import Article, Page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "benchmark"
CASES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


def extract(name: str) -> tuple[Article, dict]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    body = gzip.decompress((PAGES / f"{name}.html.gz").read_bytes())
    page = Page(url=expected["url"], requested_url=expected["url"], status=200, content_type="text/html",
                body=body)
    return extract_article(page), expected


def test_the_pages_are_there() -> None:
    assert len(CASES) == 4


@pytest.mark.parametrize("name", CASES)
def test_the_title_is_the_headline_without_decorations(name: str) -> None:
    article, expected = extract(name)
    assert article.title == expected["title"]
    assert article.title != expected["not_title"]


@pytest.mark.parametrize("name", CASES)
def test_the_body_is_there_from_start_to_end(name: str) -> None:
    article, expected = extract(name)
    text = " ".join(article.text.split())
    positions = [text.find(" ".join(sentence.split())) for sentence in expected["contains"]]
    assert -1 not in positions, [s for s, p in zip(expected["contains"], positions, strict=True) if p == -1]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", CASES)
def test_the_chrome_is_not(name: str) -> None:
    article, expected = extract(name)
    lines = {line.strip() for line in article.text.split("\n")}
    for junk in expected["excludes"]:
        assert junk not in lines
