"""Stories on a stream: the dev articles in arrival order through `monitor cluster`, judged on the pairs.

    PYTHONPATH=. python -m bench.stories_stream [--compress 20 1] [--cached] [--window-days D]
        [--threshold T] [--coefficients FILE]

Builds the stream with ../shared/eval/stream/stream_pairs.py at each pace (time gaps divided by K),
runs `monitor cluster` on it in a child process (model included; CPU time from the child's resource
usage), and prints precision, recall, F1 and the share of different pairs merged, the largest stories
with their first titles, and articles per second with CPU ms per article. `--cached` places the
articles in this process with the embeddings cached in /tmp (evaldata.cached_embed): the same
decisions in seconds, and a CPU figure for the engine without the model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from monitor.clock import FakeClock
from monitor.models import StoredArticle
from monitor.stories import fingerprint
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import load_embedder
from monitor.stories.evaldata import cached_embed, shared_dir, stream_pairs_module
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity
from monitor.stories.window import MemoryStore, StoryWindow


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_cluster(articles: Path, pred: Path, overrides: dict[str, Any]) -> tuple[float, float]:
    """`monitor cluster` in a child process: (wall seconds, CPU seconds of the child)."""
    command = [sys.executable, "-m", "monitor", "cluster", str(articles)]
    for name, value in overrides.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with open(pred, "w", encoding="utf-8") as out:
        subprocess.run(command, stdout=out, stderr=subprocess.DEVNULL, check=True, env=os.environ.copy())
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_cached(articles: Path, pred: Path, overrides: dict[str, Any]) -> tuple[float, float]:
    """The placement `monitor cluster` does (StoryWindow over a MemoryStore) in this process, with
    cached embeddings: (wall, CPU seconds of the placement)."""
    records = read_jsonl(articles)
    settings = StorySettings.model_validate(overrides)
    embedder = load_embedder(settings)
    lead_chars = load_similarity(embedder.name, settings.coefficients, settings.threshold).lead_chars
    vectors = article_vectors([(r["title"] or "", r["text"] or "") for r in records], lead_chars,
                              lambda t: cached_embed(embedder, t, f"B{lead_chars}"),
                              lambda t: cached_embed(embedder, t, "T"))
    unkeyed = [StoredArticle(article_id=n, story_id=None, title=r["title"] or "", text=r["text"] or "",
                             language=r["lang"], published=_date(r["published"]),
                             fetched=_date(r["published"]), text_hash="", simhash=None,
                             vector=np.asarray(vectors[n], dtype=np.float32).tobytes(),
                             vector_model=embedder.name)
               for n, r in enumerate(records)]
    clock = FakeClock(min(_date(r["published"]) for r in records))
    window, store = StoryWindow(settings, embedder, clock), MemoryStore()
    start, cpu = time.monotonic(), time.process_time()
    stored = [replace(a, text_hash=t, simhash=h)  # fingerprinted once, as monitor cluster reads its input
              for a in unkeyed for t, h in [fingerprint.keys(a.title, a.text)]]
    for article in stored:
        if article.published and article.published > clock.now():
            clock.set(article.published)
        window.place_batch(store, [article])
    wall, cpu = time.monotonic() - start, time.process_time() - cpu
    with open(pred, "w", encoding="utf-8") as out:
        for record, article in zip(records, stored, strict=True):
            out.write(json.dumps({"id": record["id"], "story": store.story_of(article.article_id)}) + "\n")
    return wall, cpu


def _date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def largest(articles: Path, pred: Path, n: int, titles: int) -> list[str]:
    """The n largest stories: size, languages and the titles of their first articles."""
    story = {str(r["id"]): str(r["story"]) for r in read_jsonl(pred)}  # the last line of an id wins
    records = read_jsonl(articles)
    lines = []
    for label, size in Counter(story.values()).most_common(n):
        members = [r for r in records if story[str(r["id"])] == label]
        langs = ", ".join(f"{lang} {k}" for lang, k in Counter(r["lang"] for r in members).most_common())
        lines.append(f"  {size} articles ({langs}):")
        for r in members[:titles]:
            title = (r["title"] or r["text"][:90]).replace("\n", " ")[:100]
            lines.append(f"      {r['published'][:16]} {r['lang']} {title}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=None, help="default: ../shared dev pairs")
    parser.add_argument("--compress", type=float, nargs="+", default=[20.0, 1.0])
    parser.add_argument("--cached", action="store_true", help="in-process with cached embeddings")
    parser.add_argument("--window-days", type=float, default=None)
    parser.add_argument("--reach-days", type=float, default=None)
    parser.add_argument("--threshold", type=float, default=None, help="one threshold for every pair")
    parser.add_argument("--coefficients", default=None, help="a refitted coefficients JSON")
    parser.add_argument("--largest", type=int, default=5)
    parser.add_argument("--titles", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"command: PYTHONPATH=. python -m bench.stories_stream {' '.join(sys.argv[1:])}".rstrip())
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared machine)")
    given = {"window_days": args.window_days, "reach_days": args.reach_days, "threshold": args.threshold,
             "coefficients": args.coefficients}
    overrides = {k: v for k, v in given.items() if v is not None}
    sp = stream_pairs_module()
    pairs = args.pairs or shared_dir() / "eval" / "semeval2022" / "pairs.dev.jsonl"
    for compress in args.compress:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            sp.build(str(pairs), str(out), compress)
            articles, pred = out / "articles.jsonl", out / "pred.jsonl"
            wall, cpu = (run_cached if args.cached else run_cluster)(articles, pred, overrides)
            r = sp.score(str(pairs), str(pred))
            n = r["articles"]
            what = "engine only, cached embeddings" if args.cached else "monitor cluster, model included"
            print(f"\n## compress {compress:g}: {n} articles, {r['same_pairs']} same and "
                  f"{r['different_pairs']} different pairs")
            print(f"precision {r['precision']:.3f} recall {r['recall']:.3f} F1 {r['f1']:.3f}; "
                  f"different pairs merged {r['different_merged']:.3f}; {r['stories']} stories")
            print(f"{n / wall:.1f} articles/s wall, {1000 * cpu / n:.1f} ms CPU per article ({what})")
            print(f"largest stories {r['largest']}:")
            print("\n".join(largest(articles, pred, args.largest, args.titles)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
