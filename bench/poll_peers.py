"""Polling side by side: this project, Debian's rss2email and newsboat, on the same loopback feeds.

The site (bench/_peer_feeds.py, its own process) serves N feeds of M entries on H ports (H sites).
Each tool runs as a real process, as a user runs it, on a fresh state:
- cold cycle: nothing stored yet, every feed answers 200 with its full body;
- warm cycle: the same state again, every tool sends back the validators it stored and every feed
  answers 304. newsboat stores the validators only from its second fetch of a feed, so its warm
  cycle is the run after a priming run (the output says so when that happens).
Rounds alternate the tools; each figure is the median of the rounds. Wall time is the process's,
CPU is user + system of the process and its children, memory is the peak resident set (max RSS,
as /usr/bin/time -f %M says). The site's request log shows that each tool fetched every feed, with
which answers; the figures of a tool that did other work are marked.

What is compared for this project, and why: the peers fetch feeds and remember entries, they never
fetch the article pages. `monitor once` goes on to fetch every new entry's page, so on a cold cycle
it does more work than they do. Its poll job alone is therefore measured in a fresh process
(`bench/_poll_job.py`: `monitor once --all` with only the poll job, same start-up, imports, database
and logging), and it is the one in the ratios. The whole `monitor once --all` is measured too: the
entries' links point at 127.0.0.2, which the bench config does not allow, so its content job
records each new entry's page as refused (no request) with `[jobs] max_attempts = 1`, and
`[content] feed_stand_in = false` keeps the feed's text of those entries from being embedded as
stand-in articles (20,000 of them: the model's work, which no peer does). On the warm
cycle nothing is new, so the whole command is a polling-only cycle (the 100 MB memory goal).

Run: python -m bench.poll_peers [--feeds 1000] [--entries 20] [--hosts 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CYCLES = ("cold", "warm")


@dataclass(frozen=True)
class Run:
    wall: float  # s
    cpu: float  # s, user + system
    rss_mb: float  # peak
    log: dict  # type: ignore[type-arg]  # the site's request log of this run
    code: int


class Tool:
    name = ""
    program = ""

    def available(self) -> bool:
        return shutil.which(self.program) is not None

    def prepare(self, home: Path, urls: list[str]) -> None: ...

    def command(self, home: Path) -> list[str]:
        raise NotImplementedError


class OursPollJob(Tool):
    name, program = "ours: poll job", sys.executable

    def prepare(self, home: Path, urls: list[str]) -> None:
        (home / "watchlists").mkdir()
        feeds = "".join(f'\n[[feeds]]\nname = "feed-{i}"\nurl = "{url}"\n' for i, url in enumerate(urls))
        (home / "monitor.toml").write_text(
            '[database]\nurl = "sqlite:///monitor.db"\n\n[http]\nallowed_networks = ["127.0.0.1/32"]\n\n'
            '[jobs]\nmax_attempts = 1\n\n[content]\nfeed_stand_in = false\n\n'
            '[watchlists]\ndirectory = "watchlists"\n' + feeds)

    def command(self, home: Path) -> list[str]:
        return [sys.executable, "-m", "bench._poll_job", str(home / "monitor.toml")]


class OursOnce(OursPollJob):
    name = "ours: monitor once"

    def command(self, home: Path) -> list[str]:
        return [sys.executable, "-m", "monitor", "once", "--all", "-c", str(home / "monitor.toml")]


class Rss2email(Tool):
    name, program = "rss2email", "r2e"

    def prepare(self, home: Path, urls: list[str]) -> None:
        subprocess.run([*self._base(home), "new", "bench@example.org"], check=True, env=_env(home),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with (home / "r2e.cfg").open("a") as cfg:  # `r2e add` per feed costs a process start each
            cfg.writelines(f"\n[feed.feed-{i}]\nurl = {url}\n" for i, url in enumerate(urls))

    def command(self, home: Path) -> list[str]:
        return [*self._base(home), "run", "--no-send"]  # entries are remembered, no mail is sent

    def _base(self, home: Path) -> list[str]:
        return ["r2e", "-c", str(home / "r2e.cfg"), "-d", str(home / "r2e.json")]


class Newsboat(Tool):
    name, program = "newsboat", "newsboat"

    def prepare(self, home: Path, urls: list[str]) -> None:
        (home / "urls").write_text("".join(f"{url}\n" for url in urls))
        (home / "config").write_text("")  # its defaults (reload-threads 1)

    def command(self, home: Path) -> list[str]:
        return ["newsboat", "-x", "reload", "-u", str(home / "urls"), "-c", str(home / "cache.db"),
                "-C", str(home / "config")]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}  # loopback, no proxy
    return {**env, "HOME": str(home), "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(home),
            "XDG_DATA_HOME": str(home)}


def measure(tool: Tool, home: Path, site: str) -> Run:
    """One run of the tool as its own process: wall, CPU and peak memory from wait4."""
    with (home / "stderr.txt").open("ab") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(tool.command(home), cwd=home, env=_env(home), stdout=subprocess.DEVNULL,
                                stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, request_log(site),
               proc.returncode)


def request_log(site: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(f"{site}/_log", timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def all_answered(run: Run, feeds: int, status: str) -> bool:
    return run.code == 0 and run.log["requests"] == feeds and run.log["statuses"] == {status: feeds}


def one_round(tools: list[Tool], urls: list[str], site: str, scratch: Path,
              notes: list[str]) -> dict[str, dict[str, Run]]:
    """Each tool on a fresh state: a cold run, then warm (after a priming run if it sent no validators)."""
    runs: dict[str, dict[str, Run]] = {}
    for tool in tools:
        home = Path(tempfile.mkdtemp(prefix="poll-peers-", dir=scratch))
        tool.prepare(home, urls)
        request_log(site)  # start a fresh log
        cold = measure(tool, home, site)
        warm = measure(tool, home, site)
        if warm.code == 0 and warm.log["statuses"].get("304", 0) == 0:
            notes.append(f"{tool.name}: no validators on its second run (a priming run), warm is the third")
            warm = measure(tool, home, site)
        runs[tool.name] = {"cold": cold, "warm": warm}
        if cold.code or warm.code:
            tail = (home / "stderr.txt").read_text(errors="replace")[-400:]
            notes.append(f"{tool.name}: exit status {cold.code}/{warm.code}: ...{tail}")
        shutil.rmtree(home)
        print(f"  {tool.name}: cold {cold.wall:.1f} s, warm {warm.wall:.1f} s", file=sys.stderr, flush=True)
    return runs


def medians(rounds: list[dict[str, dict[str, Run]]], tool: str, cycle: str) -> tuple[float, float, float]:
    runs = [r[tool][cycle] for r in rounds]
    return (statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
            statistics.median(r.rss_mb for r in runs))


def report(rounds: list[dict[str, dict[str, Run]]], tools: list[Tool], feeds: int, notes: list[str]) -> None:
    print(f"\n{'':22}{'cold: wall':>11}{'CPU':>8}{'peak':>8}   {'warm: wall':>11}{'CPU':>8}{'peak':>8}")
    figures = {}
    for tool in tools:
        cold, warm = medians(rounds, tool.name, "cold"), medians(rounds, tool.name, "warm")
        figures[tool.name] = {"cold": cold, "warm": warm}
        print(f"{tool.name:22}{cold[0]:9.2f} s{cold[1]:6.2f} s{cold[2]:5.0f} MB   "
              f"{warm[0]:9.2f} s{warm[1]:6.2f} s{warm[2]:5.0f} MB")
    for ours in ("ours: poll job", "ours: monitor once"):
        for peer in ("rss2email", "newsboat"):
            if ours in figures and peer in figures:
                parts = []
                for cycle in CYCLES:
                    a, b = figures[ours][cycle], figures[peer][cycle]
                    parts.append(f"{cycle} wall {a[0] / b[0]:.2f}, CPU {a[1] / b[1]:.2f}, "
                                 f"peak {a[2] / b[2]:.2f}")
                print(f"ratio {ours} / {peer}: " + "; ".join(parts))
    print("\nrequest log of the site (every round):")
    for tool in tools:
        for cycle, status in (("cold", "200"), ("warm", "304")):
            runs = [r[tool.name][cycle] for r in rounds]
            same = all(all_answered(run, feeds, status) for run in runs)
            words = (f"{feeds} feeds, {feeds} requests, all {status}" if same else
                     "NOT THE SAME WORK: " + "; ".join(json.dumps(run.log) for run in runs))
            conditional = [run.log["conditional"] for run in runs]
            print(f"  {tool.name:20} {cycle}: {words} (conditional requests: {conditional})")
    for note in dict.fromkeys(notes):
        print(f"note: {note}")


def start_site(args: argparse.Namespace) -> tuple[subprocess.Popen[str], list[int]]:
    server = subprocess.Popen([sys.executable, "-m", "bench._peer_feeds", "--feeds", str(args.feeds),
                               "--entries", str(args.entries), "--hosts", str(args.hosts)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO, env=_env(REPO))
    return server, json.loads(server.stdout.readline())  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tools", default="poll,once,rss2email,newsboat",
                        help="comma-separated: poll (our poll job), once (monitor once), rss2email, newsboat")
    args = parser.parse_args(argv)
    known = {"poll": OursPollJob(), "once": OursOnce(), "rss2email": Rss2email(), "newsboat": Newsboat()}
    tools = []
    for key in args.tools.split(","):
        if known[key].available():
            tools.append(known[key])
        else:
            print(f"{known[key].name}: not installed, skipped")
    server, ports = start_site(args)
    try:
        site = f"http://127.0.0.1:{ports[0]}"
        urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/feed/{i}" for i in range(args.feeds)]
        print(f"{args.feeds} feeds of {args.entries} entries on {len(ports)} loopback sites; "
              f"{args.rounds} alternating rounds; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
              flush=True)
        rounds: list[dict[str, dict[str, Run]]] = []
        notes: list[str] = []
        with tempfile.TemporaryDirectory(prefix="poll-peers-") as scratch:
            for number in range(1, args.rounds + 1):
                print(f"round {number}", file=sys.stderr, flush=True)
                rounds.append(one_round(tools, urls, site, Path(scratch), notes))
            if tools:
                report(rounds, tools, args.feeds, notes)
        print("command: python -m bench.poll_peers " + " ".join(argv))
        return 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
