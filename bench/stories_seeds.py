"""The five seeds against 200 unrelated dev articles: pair similarities and the clusters they form.

    PYTHONPATH=. python -m bench.stories_seeds [--embedder e5-small] [--threshold T]

Prints the seed-by-seed similarity matrix, the highest similarity of each seed to any of the
unrelated articles, and the stories `monitor cluster` forms (the same stream as the test).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from monitor.clock import FakeClock
from monitor.models import StoredArticle
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import load_embedder
from monitor.stories.embedding import split_vectors
from monitor.stories.evaldata import Doc, cached_embed, is_original, load_pairs, load_seeds, pair_docs
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity
from monitor.stories.window import MemoryStore, StoryWindow


def unrelated(n: int = 200) -> list[Doc]:
    seen: dict[str, Doc] = {}
    for pair in load_pairs():
        for doc in pair_docs(pair):
            if is_original(pair) or doc.id.endswith("original_scrape"):
                seen.setdefault(doc.id.split(":")[0], doc)
    return [d for d in seen.values() if d.id.endswith("original_scrape")][:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)
    print(f"command: PYTHONPATH=. python -m bench.stories_seeds {' '.join(sys.argv[1:])}".rstrip())
    settings = StorySettings(embedder=args.embedder, threshold=args.threshold)
    embedder, clock = load_embedder(settings), FakeClock(datetime(2019, 2, 14, tzinfo=UTC))
    sim = load_similarity(embedder.name, settings.coefficients, settings.threshold)
    seeds, others = load_seeds(), unrelated()
    docs = seeds + others
    raw = article_vectors([(d.title, d.text) for d in docs], sim.lead_chars,
                          lambda texts: cached_embed(embedder, texts, f"B{sim.lead_chars}"),
                          lambda texts: cached_embed(embedder, texts, "T"))
    leads, titles = split_vectors(raw, embedder.dim)
    vectors, titles = sim.centre(leads), sim.centre(titles, titles=True)
    signals = [sim.signals(d.title, d.text, d.lang, None) for d in docs]

    def score(i: int, j: int) -> float:
        return sim.score(signals[i], signals[j], float(vectors[i] @ vectors[j]), float(titles[i] @ titles[j]))

    print(f"threshold {sim.threshold:.3f}; seeds {[d.lang for d in seeds]}")
    for i in range(5):
        print(f"  {seeds[i].id[:3]} {seeds[i].lang}: " + " ".join(f"{score(i, j):.2f}" for j in range(5))
              + f"   max unrelated {max(score(i, k) for k in range(5, len(docs))):.2f}")
    order = [*range(5, 45), 0, *range(45, 95), 1, 2, *range(95, 155), 3, 4, *range(155, len(docs))]
    window, store = StoryWindow(settings, embedder, clock), MemoryStore()
    stream = [StoredArticle(n, None, docs[i].title, docs[i].text, docs[i].lang, None, clock.now(), "", None,
                            raw[i].tobytes(), embedder.name) for n, i in enumerate(order)]
    window.place_batch(store, stream)
    labels = {docs[i].id: store.story_of(n) for n, i in enumerate(order)}
    seed_stories = [labels[s.id] for s in seeds]
    joined = [d.id for d in others if labels[d.id] in set(seed_stories)]
    print(f"stories of the seeds (in file order): {seed_stories}; distinct: {len(set(seed_stories))}; "
          f"unrelated articles in a seed story: {len(joined)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
