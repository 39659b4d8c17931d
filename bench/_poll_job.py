"""Driver of bench.poll_peers: `monitor once --all -c CONFIG` with the poll job alone, in this process.

It starts as the command does (same imports, logging, database, jobs' contexts) and runs only the
poll job until it has no work, so the new entries are stored but no page is fetched: the work the
peers do. Prints the poll job's counts as JSON on stdout.

Run: python -m bench._poll_job CONFIG
"""

from __future__ import annotations

import json
import logging
import sys

from monitor.config import load_config
from monitor.jobs.once import run_once
from monitor.logs import configure_logging


def main(argv: list[str]) -> int:
    configure_logging(level=logging.INFO)  # as `monitor` does before any command
    result = run_once(load_config(argv[0]), all_feeds=True, jobs=("poll",))
    report = result.report("poll")
    print(json.dumps({"done": report.done, "failed": report.failed, **report.counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
