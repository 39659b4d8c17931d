"""The bundled demo site: manifest agrees with the pages, and extraction reads each page as intended."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from monitor.content.extract import extract_article
from monitor.demo.build_site import REPO_ROOT, build
from monitor.models import Page

SITE = Path(str(resources.files("monitor.demo") / "site"))
MANIFEST = json.loads((SITE / "articles.json").read_text(encoding="utf-8"))
SHARED = REPO_ROOT.parent / "shared"
BAGHOUZ = ("Baghouz", "الباغوز", "बघौज")


def test_manifest_lists_every_page_once() -> None:
    files = sorted(p.name for p in SITE.glob("*.html"))
    assert sorted(a["file"] for a in MANIFEST) == files
    assert len({a["slug"] for a in MANIFEST}) == len(MANIFEST)
    assert sum(a["is_seed"] for a in MANIFEST) == 5 and 4 <= sum(not a["is_seed"] for a in MANIFEST) <= 6
    assert {a["language"] for a in MANIFEST if a["is_seed"]} == {"hi", "ar", "en"}
    assert sum(p.stat().st_size for p in SITE.iterdir()) < 300 * 1024


@pytest.mark.parametrize("entry", MANIFEST, ids=[a["slug"] for a in MANIFEST])
def test_page_extracts_as_the_manifest_says(entry: dict) -> None:
    url = f"http://127.0.0.1:8000/{entry['slug']}.html"
    page = Page(url=url, requested_url=url, status=200, content_type="text/html",
                body=(SITE / entry["file"]).read_bytes(), charset="utf-8")
    article = extract_article(page, source=entry["outlet"])
    assert article.title == entry["title"]
    assert article.language == entry["language"]
    assert article.published == datetime.fromisoformat(entry["published"])
    assert article.canonical_url == url
    assert any(name in article.text for name in BAGHOUZ) == entry["is_seed"]


@pytest.mark.skipif(not (SHARED / "corpus" / "seeds").is_dir(), reason="shared data not beside the repo")
def test_committed_site_is_what_the_generator_makes(tmp_path: Path) -> None:
    build(SHARED, tmp_path)
    for built in tmp_path.iterdir():
        assert built.read_bytes() == (SITE / built.name).read_bytes(), built.name
