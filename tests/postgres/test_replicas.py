"""Three `monitor run` processes on one PostgreSQL database, 1,000 loopback feeds, one replica killed.

The feeds all link to a few shared pages (the demo site's articles), so the same stories come back
through hundreds of feeds. Checked: every feed is polled exactly once and never twice at the same
time; the killed replica's feeds are taken over once its leases expire; each entry's page is fetched
once; each page is stored as one article; and every planned alert reaches the webhook sink exactly
once per channel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

pytest.importorskip("monitor.app", reason="monitor.app (the daemon) cannot be imported yet",
                    exc_type=ImportError)

from monitor.storage.db import create_db_engine
from monitor.storage.tables import articles, entries, outbox
from tests.postgres.loopback import FeedSite, WebhookSink, overlapping, wait_until

ROOT = Path(__file__).resolve().parents[2]
FEEDS = 1000
LEASE_SECONDS = 30  # longer than any request may take (total_timeout), however loaded the host
REPLICAS = 3

CONFIG = """\
[database]
url = "{db}"

[http]
user_agent = "replica-{index}"
allowed_networks = ["127.0.0.0/8"]
per_host_limit = 20
connect_timeout = 20
read_timeout = 20
total_timeout = 25

[polling]
lease_seconds = {lease}
batch_size = 50
concurrency = 20
default_interval_seconds = 3600

[delivery]
lease_seconds = {lease}

[stories]
embedder = "e5-small"

[service]
metrics_port = 0

[channels.hook-a]
type = "webhook"
url = "{sink_a}"

[channels.hook-b]
type = "webhook"
url = "{sink_b}"
"""

WATCHLIST = """\
channels = ["hook-a", "hook-b"]
terms = ["Baghouz", "बघौज", "الباغوز"]
"""


def _pages() -> dict[str, bytes]:
    site = resources.files("monitor.demo") / "site"
    return {p.name: p.read_bytes() for p in site.iterdir() if p.name.endswith(".html")}


def _write_config(folder: Path, index: int, db: str, sink: WebhookSink, site: FeedSite) -> Path:
    folder.mkdir()
    (folder / "watchlists").mkdir()
    (folder / "watchlists" / "baghouz.toml").write_text(WATCHLIST, encoding="utf-8")
    text = CONFIG.format(db=db, index=index, lease=LEASE_SECONDS,
                         sink_a=sink.url("/a"), sink_b=sink.url("/b"))
    text += "".join(f'\n[[feeds]]\nname = "feed-{n}"\nurl = "{site.base_url}/feeds/{n}.rss"\n'
                    for n in range(FEEDS))
    path = folder / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "run", "-c", str(config),
                                 "--poll-seconds", "1", "--deliver-seconds", "1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=out)


def _settled(engine, site: FeedSite, sink: WebhookSink) -> bool:  # type: ignore[no-untyped-def]
    """All feeds answered, every entry processed, every planned alert sent and received."""
    if len(site.answered_feeds()) < FEEDS:
        return False
    with engine.connect() as conn:
        new = conn.execute(select(func.count()).select_from(entries).where(entries.c.status == "new"))
        unsent = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.state != "sent"))
        sent = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.state == "sent"))
        pending, not_sent, done = new.scalar_one(), unsent.scalar_one(), sent.scalar_one()
    return not pending and not not_sent and done > 0 and len(sink.messages()) >= done


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(400)
def test_three_replicas_one_killed(postgres_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(postgres_url)
    logs = [tmp_path / f"replica-{i}.log" for i in range(REPLICAS)]
    with FeedSite(FEEDS, _pages()) as site, WebhookSink() as sink:
        configs = [_write_config(tmp_path / f"r{i}", i, postgres_url, sink, site) for i in range(REPLICAS)]
        site.hold_agent = "replica-0"  # its feed requests hang: it is killed holding leases
        replicas = [_start(config, log) for config, log in zip(configs, logs, strict=True)]
        try:
            assert wait_until(site.held.is_set, 120), "replica-0 never polled: " + logs[0].read_text()[-2000:]
            replicas[0].send_signal(signal.SIGKILL)
            replicas[0].wait(timeout=30)
            killed_at = time.monotonic()
            site.release.set()
            assert wait_until(lambda: _settled(engine, site, sink), 240), (
                f"{len(site.answered_feeds())}/{FEEDS} feeds polled; " + logs[1].read_text()[-3000:])
        finally:
            for replica in replicas[1:]:
                if replica.poll() is None:
                    replica.send_signal(signal.SIGTERM)
            for replica in replicas:
                try:
                    replica.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    replica.kill()
                    replica.wait()
    assert [r.returncode for r in replicas[1:]] == [0, 0], [log.read_text()[-2000:] for log in logs[1:]]

    by_feed = site.polls_by_feed()
    answered = {feed: [p for p in polls if p.answered] for feed, polls in by_feed.items()}
    assert len(answered) == FEEDS and all(len(p) == 1 for p in answered.values()), "a feed was polled twice"
    assert not [feed for feed, polls in by_feed.items() if overlapping(polls)], "a feed polled twice at once"
    abandoned = {p.feed for p in site.polls if p.agent == "replica-0"}
    assert abandoned
    for feed in abandoned:
        [poll] = answered[feed]
        assert poll.agent in {"replica-1", "replica-2"} and poll.started > killed_at

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == FEEDS
        stored = conn.execute(select(articles.c.url)).scalars().all()
        rows = conn.execute(select(outbox.c.story_id, outbox.c.watchlist, outbox.c.channel,
                                   outbox.c.update_seq, outbox.c.message_id, outbox.c.state)).all()
    engine.dispose()
    # 1,000 entries, a handful of pages: each page became one article, whichever replica got there first.
    assert len(stored) == len(set(stored)) and 0 < len(stored) <= len(_pages())
    # Entries are claimed with leases: no two live replicas fetched the same entry's page (the pages the
    # killed replica had claimed and not stored are fetched again once its leases run out).
    live = sum(n for agent, n in site.page_requests_by.items() if agent != "replica-0")
    assert live <= FEEDS  # fewer when an entry links a page already stored

    firsts = Counter((r.story_id, r.watchlist, r.channel) for r in rows if r.update_seq == 0)
    assert firsts and all(n == 1 for n in firsts.values())
    assert {channel for _, _, channel in firsts} == {"hook-a", "hook-b"}
    delivered = Counter(key for _, key, _ in sink.messages())
    assert all(n == 1 for n in delivered.values()), "an alert was delivered twice"
    assert set(delivered) == {r.message_id for r in rows}
    print(f"figures: {len(site.polls)} feed requests ({len(abandoned)} abandoned by the killed replica), "
          f"{site.page_requests} page requests for {FEEDS} entries, {len(stored)} articles, "
          f"{len(firsts)} first alerts, {len(rows)} outbox rows, {len(delivered)} webhook deliveries")
    per_channel = Counter((path, body["stories"][0]["id"]) for path, _, body in sink.messages()
                          if body.get("kind") == "alert")
    assert all(n == 1 for n in per_channel.values()), "a story alerted twice on one channel"
