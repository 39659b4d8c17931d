"""Watchlist matching speed: 100 compiled term/query watchlists over real articles.

Each article is tokenised once (one shared token index) and every watchlist runs against it, as in
the daemon. Watchlists are generated from words of the corpus itself (several scripts), so a
realistic share of them match. Prints articles/second and the command that produced the figures.

    python -m bench.watch_match [--articles N] [--watchlists N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from monitor.models import StoryArticle
from monitor.watch import load_watchlists
from monitor.watch.matcher import ArticleCache, match_article
from monitor.watch.normalize import tokenize

# The repository sits at X/main or X/wt/NAME; the shared data at X/shared.
DEFAULT_DATA = next((p / "shared/eval/semeval2022/pairs.dev.jsonl" for p in Path(__file__).resolve().parents
                     if (p / "shared/eval").is_dir()), Path("shared/eval/semeval2022/pairs.dev.jsonl"))


def read_articles(path: Path, limit: int) -> list[StoryArticle]:
    seen: set[str] = set()
    out: list[StoryArticle] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            for k in "12":
                if row[f"id{k}"] in seen or not row[f"text{k}"]:
                    continue
                seen.add(row[f"id{k}"])
                title, text, language = row[f"title{k}"] or "", row[f"text{k}"], row[f"lang{k}"]
                out.append(StoryArticle(len(out), title, text, "", language, "semeval", None))
    return out[:limit]


def vocabulary(articles: list[StoryArticle]) -> list[str]:
    """Mid-frequency words of the corpus as written (names and topic words, not stop words)."""
    counts: Counter[str] = Counter()
    for a in articles:
        counts.update(a.text[t.start:t.end] for t in tokenize(a.text) if len(t.norm) > 3)
    ranked = [w for w, _ in counts.most_common()]
    return ranked[200:4000]


def make_watchlists(folder: Path, words: list[str], count: int, rng: random.Random) -> None:
    def word() -> str:
        w = rng.choice(words)
        return w.replace('"', "")

    for i in range(count):
        kind = i % 4
        if kind == 0:  # simple any-of terms with exclusions
            terms = [word() for _ in range(rng.randint(5, 15))] + [f"{word()} {word()}"]
            body = f"terms = {json.dumps(terms, ensure_ascii=False)}\nexclude = {json.dumps([word()])}\n"
        else:
            ors = " OR ".join(f'"{word()}"' if rng.random() < 0.8 else f"{word()[:5]}*"
                              for _ in range(rng.randint(4, 12)))
            query = f"({ors}) AND NOT title:{json.dumps(word(), ensure_ascii=False)}"
            if kind == 2:
                query += f" AND ({word()} NEAR/8 {word()} OR {word()})"
            if kind == 3:
                regex = rng.choice(["[0-9]+ (killed|dead)", "covid"])
                query += f' AND ("{word()} {word()}" OR /{regex}/ OR {word()})'
            body = f"query = {json.dumps(query, ensure_ascii=False)}\n"
        (folder / f"w{i:03d}.toml").write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--watchlists", type=int, default=100)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data} (pass --data)", file=sys.stderr)
        return 2
    articles = read_articles(args.data, args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        make_watchlists(Path(tmp), vocabulary(articles), args.watchlists, random.Random(args.seed))
        t0 = time.perf_counter()
        watchlists, errors = load_watchlists(Path(tmp), channels=None)
        load_seconds = time.perf_counter() - t0
    assert not errors, errors[:3]
    chars = sum(len(a.title) + len(a.text) for a in articles)
    caches = [ArticleCache() for _ in articles]
    index_wall, index_cpu = time.perf_counter(), time.process_time()
    for cache, article in zip(caches, articles, strict=True):
        cache.doc(article)
    index_wall, index_cpu = time.perf_counter() - index_wall, time.process_time() - index_cpu
    match_wall, match_cpu = time.perf_counter(), time.process_time()
    matches = sum(match_article(w, a, cache=c) is not None
                  for a, c in zip(articles, caches, strict=True) for w in watchlists)
    match_wall, match_cpu = time.perf_counter() - match_wall, time.process_time() - match_cpu
    n = len(articles)
    print(f"command: python -m bench.watch_match {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"articles {n} (avg {chars // n} chars, {len({a.language for a in articles})} languages); "
          f"watchlists {len(watchlists)} compiled in {load_seconds * 1000:.0f} ms")
    print("articles/s, by CPU time of this process (wall time in brackets; other processes on the")
    print("  same cores lower the wall figure):")
    print(f"  tokenise + index once   {n / index_cpu:7.0f}  ({n / index_wall:.0f})")
    print(f"  match {len(watchlists)} watchlists     {n / match_cpu:7.0f}  ({n / match_wall:.0f})")
    cpu, wall = index_cpu + match_cpu, index_wall + match_wall
    print(f"  overall                 {n / cpu:7.0f}  ({n / wall:.0f})")
    print(f"{matches} (article, watchlist) matches ({matches / n:.2f} per article)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
