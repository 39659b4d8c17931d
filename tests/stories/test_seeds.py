"""The five seed articles (one story in Hindi, Arabic and English) and 200 unrelated dev articles."""

import contextlib
import io
import json

import pytest

from monitor.cli import main


def _seed_records(shared):
    records = []
    for path in sorted((shared / "corpus" / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next(line.strip() for line in text.splitlines() if line.strip())
        records.append({"id": f"seed-{path.stem}", "title": title, "text": text})
    return records


def _unrelated(shared, n=200):
    seen, out = set(), []
    with open(shared / "eval" / "semeval2022" / "pairs.dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            pair = json.loads(line)
            for s in (1, 2):
                if pair[f"text{s}_source"].startswith("original") and pair[f"id{s}"] not in seen:
                    seen.add(pair[f"id{s}"])
                    out.append({"id": f"dev-{pair[f'id{s}']}", "title": pair[f"title{s}"] or "",
                                "text": pair[f"text{s}"] or "", "lang": pair[f"lang{s}"]})
    return out[:n]


@pytest.fixture(scope="module")
def clustered(shared, tmp_path_factory):
    """Story of every article after `monitor cluster` over the seeds spread among 200 distractors."""
    seeds, others = _seed_records(shared), _unrelated(shared)
    assert len(seeds) == 5 and len(others) == 200
    stream = others[:40] + seeds[:1] + others[40:90] + seeds[1:3] + others[90:150] + seeds[3:] + others[150:]
    path = tmp_path_factory.mktemp("seeds") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in stream), encoding="utf-8")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
        assert main(["cluster", str(path)]) == 0
    rows = [json.loads(line) for line in buffer.getvalue().splitlines()]
    placed = [r["id"] for r in rows if r["reason"] != "merged"]  # a merge writes its articles again
    assert placed == [r["id"] for r in stream]
    return {r["id"]: r["story"] for r in rows}, seeds, others  # the last line of an id wins


def test_no_unrelated_article_joins_a_seed_story(clustered):
    story, seeds, others = clustered
    seed_stories = {story[s["id"]] for s in seeds}
    assert [o["id"] for o in others if story[o["id"]] in seed_stories] == []


def test_seeds_form_one_story(clustered):
    story, seeds, _ = clustered
    assert len({story[s["id"]] for s in seeds}) == 1


def test_seeds_form_one_story_in_every_order_of_arrival(shared):
    # The daemon sees the seeds in whatever order the feeds and pages come in. The story as a whole
    # must not veto a translation because the model scores a third language low (Hindi and Arabic).
    import itertools
    from dataclasses import replace
    from datetime import UTC, datetime

    from monitor.clock import FakeClock
    from monitor.content.language import detect_language
    from monitor.models import StoredArticle
    from monitor.stories.embedders import load_embedder
    from monitor.stories.settings import StorySettings
    from monitor.stories.window import MemoryStore, StoryWindow

    settings = StorySettings()
    embedder = load_embedder(settings)
    when = datetime(2019, 2, 13, tzinfo=UTC)
    articles = [StoredArticle(article_id=n, story_id=None, title=r["title"], text=r["text"],
                              language=detect_language(r["text"]),
                              published=when, fetched=when, text_hash="", simhash=None, vector=None)
                for n, r in enumerate(_seed_records(shared))]
    first = StoryWindow(settings, embedder, FakeClock(when))
    vectors = first.vectors_for(articles)  # once: 120 orders of the same five articles
    articles = [replace(a, vector=vectors[a.article_id], vector_model=first.model) for a in articles]
    split = []
    for order in itertools.permutations(articles):
        window, store = StoryWindow(settings, embedder, FakeClock(when)), MemoryStore()
        window.place_batch(store, list(order))
        if len({store.story_of(a.article_id) for a in articles}) != 1:
            split.append([a.article_id for a in order])
    assert split == [], f"{len(split)} of 120 orders split the seeds, e.g. {split[:3]}"
