"""Story engine speed: embedding + assignment rate, a stream with wire copies, and a 100,000-story window.

    PYTHONPATH=. python -m bench.stories_speed [--embedder e5-small] [--articles 150] [--stories 100000]

1. distinct articles: embed (batches) + assign + commit, real dev articles, no duplicates;
2. a realistic stream: the same articles plus 40% wire copies (dateline and credit added, a word
   changed) and exact reposts, shuffled, so the cheap layers skip the model for those;
3. a window of --stories stories (synthetic vectors, and texts of random words of realistic length)
   loaded as a restart loads it: its CPU and memory (RSS growth); then placement alone, per article,
   just after the load (a member's signals are computed when it is first scored) and once every
   member's are.
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


def run_window(window: StoryWindow, stories: int, queries: int) -> dict[str, float]:
    """Fill the window with synthetic stories as a restart loads them, then place `queries` articles
    (cold: each first scoring of a member computes its signals), compute the signals of every member
    left (what a start used to do before its first placement), and place `queries` other articles
    (warm). Returns the figures by name."""
    rng, words = np.random.default_rng(0), random.Random(0)
    vocabulary = sorted({w for item in _articles(400) for w in item.text.split()})
    dim = window.engine.embedder.dim
    before, started = _rss_mb(), time.process_time()
    for first in range(0, stories, 5000):  # loaded as a restart loads stored articles, in chunks
        chunk = []
        for story in range(first, min(first + 5000, stories)):
            raw = rng.standard_normal((2, dim)).astype(np.float32)  # the lead's vector and the title's
            raw = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).ravel()
            chunk.append(StoredArticle(story, story, "", _synthetic_text(words, vocabulary), "en", NOW, NOW,
                                       f"h{story}", int(rng.integers(-2**63, 2**63 - 1)), raw.tobytes(),
                                       window.model, story + 1))
        window.engine.load(chunk)
    figures = {"fill_cpu": time.process_time() - started, "grown": _rss_mb() - before}
    sample = _articles(2 * queries)
    vectors = window.engine.embed(sample)
    store = MemoryStore()

    def place(part: range) -> list[float]:
        cpu = []
        for n in part:
            vector = np.asarray(vectors[n], dtype=np.float32).tobytes()
            article = _stored(stories + n, sample[n], vector=vector, model=window.model)
            c0 = time.process_time()
            window.place_batch(store, [article])
            cpu.append((time.process_time() - c0) * 1000)
        return cpu

    cold = place(range(queries))
    started = time.process_time()
    engine = window.engine
    for member in list(engine._members.values()):  # a bench reads the engine's inside
        if member.source is not None:
            engine._signals(member)
    figures["warm_cpu"] = time.process_time() - started
    warm = place(range(queries, 2 * queries))
    figures["cold_p50"], figures["cold_p95"] = (float(x) for x in np.percentile(cold, [50, 95]))
    figures["warm_p50"], figures["warm_p95"] = (float(x) for x in np.percentile(warm, [50, 95]))
    return figures


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
    f = run_window(window, args.stories, 100)
    print(f"a window of {args.stories} stories loaded as at a start: {f['fill_cpu']:.1f} s CPU, "
          f"{f['grown']:.0f} MB RSS growth")
    print(f"placement (vector given; signals, search, scoring), CPU per article: just after the load "
          f"p50 {f['cold_p50']:.2f} ms, p95 {f['cold_p95']:.2f} ms (the first scoring of a member computes "
          f"its signals); once every member's signals are computed ({f['warm_cpu']:.1f} s CPU, what a "
          f"start used to take on top of the load) p50 {f['warm_p50']:.2f} ms, p95 {f['warm_p95']:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
