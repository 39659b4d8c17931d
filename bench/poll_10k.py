"""Poll 10,000 feeds served from loopback through the real `poll_due` cycle; print the figures.

The server (bench/feed_server.py) runs in its own process on 200 ports (= 200 sites, so the
per-host limit of 2 applies as on the real web). Cycle 1 is a cold start (every feed answers 200);
from cycle 2 on most feeds answer 304, 10 % publish something new, 5 % are broken, 1 % are slow.

Run: python -m bench.poll_10k [--feeds 10000] [--hosts 200] [--cycles 2] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from monitor.clock import FakeClock
from monitor.ingest.cycle import PollContext, PollReport, poll_due
from monitor.ingest.settings import FeedSpec, PollingSettings
from monitor.net.http import HttpFetcher
from monitor.net.settings import HttpSettings
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=100)
    return parser.parse_args(argv)


def kind(status: str) -> str:
    if status.startswith("error"):
        return "error"
    return "304" if status == "not modified" else status.split(",")[0]


async def one_cycle(ctx_args: dict, http: HttpSettings) -> PollReport:  # type: ignore[type-arg]
    fetcher = HttpFetcher(http)
    try:
        return await poll_due(PollContext(fetcher=fetcher, **ctx_args))
    finally:
        await fetcher.aclose()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    server = subprocess.Popen([sys.executable, "-m", "bench.feed_server", "--hosts", str(args.hosts)],
                              stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            code = run(args, argv, ports, Path(tmp))
        print(f"feed server CPU (its own process, all cycles): {process_cpu_seconds(server.pid):.1f} s")
        print("command: python -m bench.poll_10k " + " ".join(argv))
        return code
    finally:
        server.terminate()
        server.wait(timeout=10)


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU of another process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(args: argparse.Namespace, argv: list[str], ports: list[int], tmp: Path) -> int:
    engine = create_db_engine(f"sqlite:///{tmp / 'bench.db'}")
    migrate(engine)
    clock = FakeClock()
    # Contiguous blocks of feeds per site, so the 1 % slow feeds are spread over many sites rather
    # than all landing on two (which would measure one site's politeness queue, not the cycle).
    per_site = -(-args.feeds // len(ports))
    specs = [FeedSpec(name=f"feed-{i}", url=f"http://127.0.0.1:{ports[i // per_site]}/f/{i}")
             for i in range(args.feeds)]
    with engine.begin() as conn:
        sync_feeds(conn, specs, clock.now())
    http = HttpSettings(allowed_networks=("127.0.0.0/8",), max_connections=args.concurrency, total_timeout=20)
    polling = PollingSettings(concurrency=args.concurrency, batch_size=args.feeds, lease_seconds=600)
    ctx_args = {"engine": engine, "clock": clock, "settings": polling, "owner": "bench"}
    print(f"{args.feeds} feeds on {len(ports)} loopback sites, concurrency {args.concurrency}, "
          f"per-host limit {http.per_host_limit}, SQLite", flush=True)
    for cycle in range(1, args.cycles + 1):
        started, cpu = time.perf_counter(), time.process_time()
        report = asyncio.run(one_cycle(ctx_args, http))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        counts = Counter(kind(o.status) for o in report.outcomes)
        print(f"cycle {cycle}: {len(report.outcomes)} feeds in {seconds:.1f} s "
              f"({len(report.outcomes) / seconds:.0f} requests/s, poller CPU {cpu:.1f} s); "
              f"{dict(sorted(counts.items()))}; {report.new_entries} new entries", flush=True)
        clock.advance(7 * 3600)  # past the longest interval: every feed is due again
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS, poller process): {peak_mb:.0f} MB")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
