"""Story engine speed: embedding + assignment rate, a stream with wire copies, and a 100,000-story window.

    PYTHONPATH=. python -m bench.stories_speed [--embedder e5-small] [--articles 150] [--stories 100000]

1. distinct articles: embed (batches) + assign + commit, real dev articles, no duplicates;
2. a realistic stream: the same articles plus 40% wire copies (dateline and credit added, a word
   changed) and exact reposts, shuffled, so the cheap layers skip the model for those;
3. placement alone with --stories stories in the window (synthetic vectors, and texts of random words
   of realistic length), per article, and the memory the window takes (RSS growth).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import UTC, datetime

import numpy as np

from monitor.clock import FakeClock
from monitor.models import StoredArticle
from monitor.stories.embedders import load_embedder
from monitor.stories.evaldata import is_original, load_pairs, pair_docs
from monitor.stories.records import ArticleInput
from monitor.stories.settings import StorySettings
from monitor.stories.window import MemoryStore, Placed, StoryWindow

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _articles(n: int) -> list[ArticleInput]:
    seen, out = set(), []
    for pair in load_pairs():
        if not is_original(pair):
            continue
        for doc in pair_docs(pair):
            if doc.id not in seen and len(doc.text) > 500:
                seen.add(doc.id)
                out.append(ArticleInput(doc.title, doc.text, doc.lang, NOW, doc.id))
    return out[:n]


def _wire_copy(item: ArticleInput, rng: random.Random) -> ArticleInput:
    words = item.text.split(" ")
    if rng.random() < 0.5:  # an exact repost on another site
        return ArticleInput(item.title, item.text, item.language, NOW, item.canonical_url + "/repost")
    i = rng.randrange(len(words))
    words[i] = words[i].upper()[::-1]
    text = "CITY (Agency) - " + " ".join(words) + " (Reporting by staff; editing by desk)"
    return ArticleInput(item.title + " | Site", text, item.language, NOW, item.canonical_url + "/wire")


def _stored(n: int, item: ArticleInput, *, vector: bytes | None = None, model: str | None = None
            ) -> StoredArticle:
    return StoredArticle(n, None, item.title, item.text, item.language, item.published, NOW, "", None, vector,
                         model)


def run_stream(window: StoryWindow, items: list[ArticleInput], batch: int) -> tuple[str, dict[str, int]]:
    """Wall rate, and the CPU time per article (the machine may be shared: CPU time is what it costs)."""
    reasons: dict[str, int] = {}
    store = MemoryStore()
    start, cpu = time.perf_counter(), time.process_time()
    for begin in range(0, len(items), batch):
        chunk = [_stored(begin + n, item) for n, item in enumerate(items[begin:begin + batch])]
        for result in window.place_batch(store, chunk):
            assert isinstance(result, Placed), result
            reasons[result.reason] = reasons.get(result.reason, 0) + 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    threads = window.settings.threads
    return (f"{len(items) / wall:.1f} articles/s wall, {1000 * cpu / len(items):.0f} ms CPU per article "
            f"= {len(items) * threads / cpu:.1f} articles/s on {threads} free cores"), reasons


def _synthetic_text(rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(250))  # ~1,500 characters, realistic signals


def run_window(window: StoryWindow, stories: int, queries: int) -> tuple[float, float, float, float, float]:
    """Fill the window with synthetic stories; (ms per assignment p50, p95, CPU median, RSS growth MB,
    seconds the fill took)."""
    rng, words = np.random.default_rng(0), random.Random(0)
    vocabulary = sorted({w for item in _articles(400) for w in item.text.split()})
    dim = window.engine.embedder.dim
    before, started = _rss_mb(), time.perf_counter()
    for first in range(0, stories, 5000):  # loaded as a restart loads stored articles, in chunks
        chunk = []
        for story in range(first, min(first + 5000, stories)):
            raw = rng.standard_normal((2, dim)).astype(np.float32)  # the lead's vector and the title's
            raw = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).ravel()
            chunk.append(StoredArticle(story, story, "", _synthetic_text(words, vocabulary), "en", NOW, NOW,
                                       f"h{story}", int(rng.integers(-2**63, 2**63 - 1)), raw.tobytes(),
                                       window.model, story + 1))
        window.engine.load(chunk)
    fill, grown = time.perf_counter() - started, _rss_mb() - before
    sample = _articles(queries)
    vectors = window.engine.embed(sample)
    times, cpu = [], []
    store = MemoryStore()
    for n, (item, vector) in enumerate(zip(sample, vectors, strict=True)):
        article = _stored(stories + n, item, vector=np.asarray(vector, dtype=np.float32).tobytes(),
                          model=window.model)
        start, c0 = time.perf_counter(), time.process_time()
        window.place_batch(store, [article])
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    return float(p50), float(p95), float(np.median(cpu)), grown, fill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--stories", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(f"command: PYTHONPATH=. python -m bench.stories_speed {' '.join(sys.argv[1:])}".rstrip())
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]} on {os.cpu_count()} cores "
              "(other work shares them)")
    settings = StorySettings(embedder=args.embedder, threads=args.threads)
    embedder = load_embedder(settings)
    items = _articles(args.articles)
    chars = sum(len(i.title) + len(i.text) for i in items) / len(items)
    window = StoryWindow(settings, embedder, FakeClock(NOW))
    window.engine.embed(items[:4])  # warm up
    rate, reasons = run_stream(window, items, settings.batch_size)
    print(f"{args.embedder}, {args.threads} threads, lead {window.engine.similarity.lead_chars} chars, "
          f"articles of {chars:.0f} chars on average")
    print(f"distinct articles through embedding + assignment: {rate} ({len(items)} articles, {reasons})")
    rng = random.Random(1)
    stream = items + [_wire_copy(rng.choice(items), rng) for _ in range(int(len(items) * 0.4 / 0.6))]
    rng.shuffle(stream)
    rate, reasons = run_stream(StoryWindow(settings, embedder, FakeClock(NOW)), stream, settings.batch_size)
    print(f"stream with 40% wire copies/reposts: {rate} ({len(stream)} articles, {reasons})")
    window = StoryWindow(settings, embedder, FakeClock(NOW))
    p50, p95, cpu, grown, fill = run_window(window, args.stories, 100)
    print(f"placement with {args.stories} stories in the window (vector given; signals, search, scoring): "
          f"p50 {p50:.2f} ms, p95 {p95:.2f} ms wall, median {cpu:.2f} ms CPU per article; window memory "
          f"{grown:.0f} MB RSS growth; filling the window took {fill:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
