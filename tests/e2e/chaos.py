"""A news site that keeps publishing, and `monitor run` processes killed with SIGKILL while they work.

Every story is one article published by two outlets with the same text (a wire copy), so which
articles form a story does not depend on the order in which pages happen to be fetched: the
duplicate layer decides it, and the set of alerts a run must send is known in advance.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.storage.tables import articles, entries, feeds, outbox, stories

ROOT = Path(__file__).resolve().parents[2]
OUTLETS = ("wire-east", "wire-west")
STAGES = ("poll", "content", "stories", "match", "deliver")
TOWNS = ("Alderney", "Brackwater", "Corvell", "Dunmore", "Eastleigh", "Fenwick", "Garrow", "Halden",
         "Irvine", "Jarrow", "Kelso", "Lanark", "Morden", "Newbury", "Oakham", "Penrith", "Quorn",
         "Redruth", "Selby", "Thirsk", "Uckfield", "Ventnor", "Wetherby", "Yeovil")
EVENTS = ("a fire at the grain silo", "a flood on the high street", "a strike at the bus depot",
          "a power cut at the hospital", "a bridge closed after an inspection", "a gas leak near the school")

CONFIG = """\
[database]
url = "{db}"

[http]
allowed_networks = ["127.0.0.0/8"]
connect_timeout = 2
read_timeout = 5
total_timeout = 10

[stories]
embedder = "e5-small"
threshold = 0.99  # no story by similarity: wire copies alone decide which articles share a story

[jobs]
lease_seconds = 3
content_batch = 4
stories_batch = 4
match_batch = 4

[polling]
lease_seconds = 3

[delivery]
lease_seconds = 3
batch_size = 4

[service]
metrics_port = 0
json_logs = true
instance_name = "chaos-{replica}"

[channels.hook]
type = "webhook"
url = "{hook}"

[channels.mail]
type = "email"
host = "127.0.0.1"
port = {smtp}
security = "none"
from_addr = "monitor@example.org"
to = ["desk@example.org"]
"""

WATCHLIST = 'channels = ["hook", "mail"]\nquery = "/./"\n'  # every story: the test is about delivery


def story_text(n: int) -> tuple[str, str]:
    town, event = TOWNS[n % len(TOWNS)], EVENTS[(n * 7) % len(EVENTS)]
    title = f"{town} report {n}: {event}"
    body = " ".join(
        f"Council officials in {town} said on day {n} that {event} kept crews busy for {n + k} hours, "
        f"and residents of ward {k} were told to expect delays until the evening of day {n + k}."
        for k in range(6))
    return title, body


def page(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><nav>Home | News</nav>"
            f"<article><h1>{title}</h1><p>{body}</p></article><footer>Contact us</footer></body></html>"
            ).encode()


@dataclass
class Newsroom:
    """Publishes story n on both outlets' feeds; each story's pages get their own URLs."""

    site: SiteServer
    published: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, n: int) -> None:
        title, body = story_text(n)
        with self.lock:
            for outlet in OUTLETS:
                self.site.put(f"/{outlet}/{n}.html", page(title, body))
            self.published.append(n)
            for outlet in OUTLETS:
                items = [FeedItem(story_text(i)[0], self.site.url(f"/{outlet}/{i}.html"), f"{outlet}-{i}",
                                  datetime(2026, 1, 1, tzinfo=UTC)) for i in self.published]
                self.site.put(f"/{outlet}.rss", rss(outlet, self.site.base_url, items))

    def write_config(self, folder: Path, db: str, hook: str, smtp: int, replica: int) -> Path:
        (folder / "watchlists").mkdir(exist_ok=True)
        (folder / "watchlists" / "all.toml").write_text(WATCHLIST, encoding="utf-8")
        text = CONFIG.format(db=db, hook=hook, smtp=smtp, replica=replica)
        for outlet in OUTLETS:
            text += f'\n[[feeds]]\nname = "{outlet}"\nurl = "{self.site.url(f"/{outlet}.rss")}"\n'
        path = folder / f"monitor-{replica}.toml"
        path.write_text(text, encoding="utf-8")
        return path


def make_feeds_due(engine: Engine) -> None:
    """What an operator's `feeds check-now` does: the feeds are polled at the next tick."""
    with engine.begin() as conn:
        conn.execute(update(feeds).values(next_check_at=datetime.now(UTC)))


class Daemon:
    """One `monitor run` process; its JSON log lines are read as they come."""

    def __init__(self, config: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "-c", str(config), "--poll-seconds", "0.5",
             "--jobs-seconds", "0.5", "--deliver-seconds", "0.5"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.started: dict[str, threading.Event] = {stage: threading.Event() for stage in STAGES}
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("msg") == "job started" and record.get("job") in self.started:
                self.started[record["job"]].set()

    def kill_in(self, stage: str, rng: random.Random, timeout: float) -> bool:
        """SIGKILL once `stage` starts work (or after `timeout`), a random moment into it.

        Work the stage started before the call does not count: the process may have finished it."""
        self.started[stage].clear()
        hit = self.started[stage].wait(timeout)
        time.sleep(rng.uniform(0.0, 0.4))
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        return hit

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        return "".join(self.lines)


def settled(engine: Engine, stories_expected: int) -> bool:
    """Nothing left to do: every page fetched, every article placed, every story matched and sent."""
    with engine.connect() as conn:
        waiting = (
            conn.scalar(select(func.count()).select_from(entries).where(entries.c.status == "new")),
            conn.scalar(select(func.count()).select_from(articles)
                        .where(articles.c.story_state == "pending")),
            conn.scalar(select(func.count()).select_from(stories)
                        .where(stories.c.change_seq > stories.c.matched_seq)),
            conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.state != "sent")),
        )
        sent = conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.state == "sent"))
    return waiting == (0, 0, 0, 0) and sent == 2 * stories_expected


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()
