"""Three polling processes on one PostgreSQL database and 1,000 loopback feeds, one of them killed.

Each process runs the real ingest cycle (`monitor.ingest.cycle.poll_due`: claim with FOR UPDATE SKIP
LOCKED and a lease, conditional GET, parse, store entries, record). The feed site logs every request,
so the test sees whether any feed was polled twice, or twice at the same time, and whether the feeds
of the killed process were taken over once its leases ran out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.ingest.settings import FeedSpec
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import sync_feeds
from monitor.storage.tables import entries, feeds
from tests.postgres.loopback import FeedSite, overlapping, wait_until

ROOT = Path(__file__).resolve().parents[2]
FEEDS = 1000
LEASE_SECONDS = 4

POLLER = """
import asyncio, sys
from pathlib import Path
from monitor.clock import SystemClock
from monitor.ingest.cycle import PollContext, poll_due
from monitor.ingest.settings import PollingSettings
from monitor.net.http import HttpFetcher
from monitor.net.settings import HttpSettings
from monitor.storage.db import create_db_engine

url, owner, agent, lease, stop = sys.argv[1:6]
engine = create_db_engine(url)
http = HttpSettings(user_agent=agent, allowed_networks=("127.0.0.0/8",), per_host_limit=20,
                    total_timeout=60, read_timeout=60)
polling = PollingSettings(lease_seconds=int(lease), batch_size=50, concurrency=20)

async def main():
    fetcher = HttpFetcher(http)
    ctx = PollContext(engine=engine, fetcher=fetcher, clock=SystemClock(), settings=polling, owner=owner)
    while not Path(stop).exists():
        report = await poll_due(ctx)
        if not report.outcomes:
            await asyncio.sleep(0.2)
    await fetcher.aclose()

asyncio.run(main())
engine.dispose()
"""


def _start(url: str, index: int, stop: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", POLLER, url, f"poller-{index}", f"replica-{index}", str(LEASE_SECONDS),
         str(stop)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_three_pollers_share_feeds_and_take_over_a_killed_ones(postgres_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(postgres_url)
    migrate(engine)
    stop = tmp_path / "stop"
    with FeedSite(FEEDS, pages={"story.html": b"<html><body>story</body></html>"}) as site:
        with engine.begin() as conn:
            sync_feeds(conn, [FeedSpec(name=f"feed-{n}", url=f"{site.base_url}/feeds/{n}.rss")
                              for n in range(FEEDS)], datetime.now(UTC))
        site.hold_agent = "replica-0"  # its feed requests hang until it is killed
        pollers = [_start(postgres_url, i, stop) for i in range(3)]
        try:
            assert wait_until(site.held.is_set, 120), "replica-0 never claimed a feed"
            pollers[0].send_signal(signal.SIGKILL)
            pollers[0].wait(timeout=30)
            killed_at = time.monotonic()  # the site's clock too
            site.release.set()
            assert wait_until(lambda: len(site.answered_feeds()) == FEEDS, 150), (
                f"only {len(site.answered_feeds())} of {FEEDS} feeds were polled")
        finally:
            stop.touch()
            errors = []
            for poller in pollers:
                try:
                    _, err = poller.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    poller.kill()
                    _, err = poller.communicate()
                errors.append(err)
    assert pollers[1].returncode == 0 and pollers[2].returncode == 0, errors[1:]

    by_feed = site.polls_by_feed()
    answered = {feed: [p for p in polls if p.answered] for feed, polls in by_feed.items()}
    assert all(len(polls) == 1 for polls in answered.values()), "a feed was polled twice"
    assert not [feed for feed, polls in by_feed.items() if overlapping(polls)], "polled twice at once"
    abandoned = {p.feed for p in site.polls if p.agent == "replica-0"}
    assert abandoned and not any(p.answered for p in site.polls if p.agent == "replica-0")
    for feed in abandoned:  # taken over by a survivor after the kill, once the lease had run out
        [poll] = answered[feed]
        assert poll.agent in {"replica-1", "replica-2"} and poll.started > killed_at

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == FEEDS
        assert conn.execute(select(func.count(func.distinct(entries.c.feed_id)))).scalar_one() == FEEDS
        leased = conn.execute(select(func.count()).select_from(feeds).where(feeds.c.lease_owner.is_not(None)))
        assert leased.scalar_one() == 0
        polled = conn.execute(select(func.count()).select_from(feeds).where(feeds.c.last_status == 200))
        assert polled.scalar_one() == FEEDS
    engine.dispose()
