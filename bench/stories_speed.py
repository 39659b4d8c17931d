"""Story engine speed: embedding + assignment rate, a stream with wire copies, and a 100,000-story window.

    PYTHONPATH=. python -m bench.stories_speed [--embedder e5-small] [--articles 150] [--stories 100000]

1. distinct articles: embed (batches) + assign + commit, real dev articles, no duplicates;
2. a realistic stream: the same articles plus 40% wire copies (dateline and credit added, a word
   changed) and exact reposts, shuffled, so the cheap layers skip the model for those;
3. assignment alone with --stories stories in the window (synthetic vectors and article signals of
   realistic sizes), per article, and the memory the window takes (RSS growth).
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
from monitor.stories.embedders import load_embedder
from monitor.stories.engine import StoryEngine
from monitor.stories.evaldata import is_original, load_pairs, pair_docs
from monitor.stories.features import Signals
from monitor.stories.records import ArticleInput
from monitor.stories.settings import StorySettings

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


def run_stream(engine: StoryEngine, items: list[ArticleInput], batch: int) -> tuple[str, dict[str, int]]:
    """Wall rate, and the CPU time per article (the machine may be shared: CPU time is what it costs)."""
    reasons: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    next_id = 0
    for begin in range(0, len(items), batch):
        chunk = items[begin:begin + batch]
        todo = [i for i, needed in enumerate(engine.needs_vectors(chunk)) if needed]
        vectors = dict(zip(todo, engine.embed([chunk[i] for i in todo]), strict=True))
        for i, item in enumerate(chunk):
            a = engine.assign(item, vectors.get(i))
            next_id += 1
            engine.commit(next_id, a.story_id if a.story_id is not None else next_id, item, a)
            reasons[a.reason] = reasons.get(a.reason, 0) + 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    threads = engine.settings.threads
    return (f"{len(items) / wall:.1f} articles/s wall, {1000 * cpu / len(items):.0f} ms CPU per article "
            f"= {len(items) * threads / cpu:.1f} articles/s on {threads} free cores"), reasons


def _synthetic_signals(rng: np.random.Generator) -> Signals:
    def ids(n: int) -> np.ndarray:
        return np.unique(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32))

    def weights(a: np.ndarray) -> np.ndarray:
        w = rng.random(len(a)).astype(np.float32)
        return w / np.linalg.norm(w)

    t, s, g, h, nm = ids(96), ids(96), ids(256), ids(12), ids(40)
    return Signals("en", "latin", t, weights(t), s, weights(s), g, weights(g), h, weights(h), nm,
                   np.full(len(nm), 2.0, dtype=np.float32), nm, ids(8), NOW)


def run_window(engine: StoryEngine, stories: int, queries: int) -> tuple[float, float, float, float]:
    """Fill the window with synthetic stories; (ms per assignment p50, p95, CPU median, RSS growth MB)."""
    rng = np.random.default_rng(0)
    dim = engine.embedder.dim
    before = _rss_mb()
    filler = ArticleInput("", "", "en", NOW)
    for story in range(stories):
        raw = rng.standard_normal((2, dim)).astype(np.float32)  # the lead's vector and the title's
        raw = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).ravel()
        # The bench fills the window directly with signals of realistic sizes: load() would read text.
        engine._add_member(story, story, filler, raw, f"h{story}", int(rng.integers(-2**63, 2**63 - 1)), NOW,
                           _synthetic_signals(rng))
    grown = _rss_mb() - before
    sample = _articles(queries)
    vectors = engine.embed(sample)
    times, cpu = [], []
    for item, vector in zip(sample, vectors, strict=True):
        start, c0 = time.perf_counter(), time.process_time()
        engine.assign(item, vector)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95)), float(np.median(cpu)), grown


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
    engine = StoryEngine(settings, embedder, FakeClock(NOW))
    engine.embed(items[:4])  # warm up
    rate, reasons = run_stream(engine, items, settings.batch_size)
    print(f"{args.embedder}, {args.threads} threads, lead {engine.similarity.lead_chars} chars, "
          f"articles of {chars:.0f} chars on average")
    print(f"distinct articles through embedding + assignment: {rate} ({len(items)} articles, {reasons})")
    rng = random.Random(1)
    stream = items + [_wire_copy(rng.choice(items), rng) for _ in range(int(len(items) * 0.4 / 0.6))]
    rng.shuffle(stream)
    engine = StoryEngine(settings, embedder, FakeClock(NOW))
    rate, reasons = run_stream(engine, stream, settings.batch_size)
    print(f"stream with 40% wire copies/reposts: {rate} ({len(stream)} articles, {reasons})")
    engine = StoryEngine(settings, embedder, FakeClock(NOW))
    start = time.perf_counter()
    p50, p95, cpu, grown = run_window(engine, args.stories, 100)
    print(f"assignment with {args.stories} stories in the window (vector given; signals, search, scoring): "
          f"p50 {p50:.2f} ms, p95 {p95:.2f} ms wall, median {cpu:.2f} ms CPU per article; window memory "
          f"{grown:.0f} MB RSS growth; filling the window took {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
