"""Pages extracted in many threads at once: how many processes crash, with and without the libxml2 lock.

Each run is a fresh process whose threads start together and extract a few of the shared benchmark's
pages each, as the content job's threads once did (the first pages of a process crashed most). A run
killed by a signal is a crash (glibc's "double free or corruption", a segfault). `--unguarded` calls
`extract_article` past its lock (monitor/libxml2_lock.py) to show what the lock prevents; by default
both are run, alternating, so the two rates and the CPU per page come from the same minutes.

    python -m bench.extraction_threads [--runs 150] [--threads 8] [--pages 3] [--only guarded|unguarded]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGES = REPO_ROOT.parent / "shared" / "eval" / "extraction"


def _child(threads: int, pages_each: int, unguarded: bool) -> None:
    """One run: `threads` threads, `pages_each` pages each; prints CPU seconds and pages."""
    from monitor.models import Page

    paths = sorted(PAGES.glob("*/html/*.html.gz"))[: threads * pages_each]
    pages = [Page(url=f"https://example.com/{path.name}", requested_url="", status=200,
                  content_type="text/html", body=gzip.decompress(path.read_bytes())) for path in paths]
    start = threading.Barrier(threads)

    def work(first: int) -> None:
        start.wait()
        from monitor.content.extract import extract_article
        from monitor.errors import ExtractionError

        extract = extract_article.__wrapped__ if unguarded else extract_article  # type: ignore[attr-defined]
        for page in pages[first::threads]:
            with contextlib.suppress(ExtractionError):
                extract(page)

    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"cpu": time.process_time(), "pages": len(pages)}))


def _run(threads: int, pages_each: int, unguarded: bool) -> tuple[int, float, float, int]:
    """(return code, wall seconds, CPU seconds, pages) of one child process."""
    command = [sys.executable, "-m", "bench.extraction_threads", "--child", str(threads), str(pages_each)]
    if unguarded:
        command.append("--unguarded")
    wall = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    wall = time.perf_counter() - wall
    if done.returncode != 0:
        return done.returncode, wall, 0.0, 0
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return 0, wall, float(result["cpu"]), int(result["pages"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=150, help="processes of each kind (default 150)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pages", type=int, default=3, help="pages per thread")
    parser.add_argument("--only", choices=("guarded", "unguarded"))
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--unguarded", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child, unguarded=args.unguarded)
        return 0
    if not PAGES.is_dir():
        print(f"no pages at {PAGES} (the shared folder beside the project)", file=sys.stderr)
        return 2
    kinds = [args.only == "unguarded"] if args.only else [False, True]
    tally = {kind: {"crashed": 0, "failed": 0, "runs": 0, "wall": 0.0, "cpu": 0.0, "pages": 0}
             for kind in kinds}
    for run in range(args.runs):
        for unguarded in kinds:
            code, wall, cpu, pages = _run(args.threads, args.pages, unguarded)
            row = tally[unguarded]
            row["runs"] += 1
            if code < 0:
                row["crashed"] += 1
                print(f"  run {run + 1}, {'unguarded' if unguarded else 'guarded'}: killed by "
                      f"{signal.Signals(-code).name}", flush=True)
            elif code > 0:
                row["failed"] += 1
            else:
                row["wall"] += wall
                row["cpu"] += cpu
                row["pages"] += pages
        if (run + 1) % 25 == 0:
            print(f"  {run + 1} of {args.runs} runs", flush=True)
    print(f"{args.threads} threads x {args.pages} pages a process, {args.runs} processes of each kind:")
    for unguarded, row in tally.items():
        finished = max(int(row["runs"] - row["crashed"] - row["failed"]), 1)
        cpu_per_page = 1000 * row["cpu"] / max(row["pages"], 1)
        print(f"  {'without the lock' if unguarded else 'with the lock   '}: {row['crashed']} crashed, "
              f"{row['failed']} failed otherwise; CPU {cpu_per_page:.1f} ms a page (imports included), "
              f"wall {row['wall'] / finished:.2f} s a process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
