"""SIGKILL `monitor run` 20 times, inside each of its five jobs in turn, while a site keeps publishing;
then let it finish. Every story is alerted on every channel with one message (a resend after a
kill carries the same id), and the stories alerted are those a run without kills alerts.

On SQLite with one process, and on PostgreSQL with two replicas killed in turn.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.demo.site_server import SiteServer
from monitor.jobs.once import run_once
from monitor.storage.db import create_db_engine, migrate
from tests.alerts.servers import SmtpServer, WebhookReceiver
from tests.e2e.chaos import STAGES, Daemon, Newsroom, make_feeds_due, settled, wait_until

KILLS = 20
STORIES = 24  # at least; publishing goes on until the last kill
MAX_STORIES = 120
_STORY = re.compile(r"report (\d+):")


@pytest.fixture
def sinks() -> Iterator[tuple[SiteServer, SmtpServer, WebhookReceiver]]:
    smtp, hook = SmtpServer(), WebhookReceiver()
    smtp.start()
    hook.start()
    with SiteServer() as site:
        yield site, smtp, hook
    smtp.stop()
    hook.stop()


def _publishing(newsroom: Newsroom, db_url: str, kills_done: threading.Event) -> threading.Thread:
    """A story every 1.5 s (both outlets), the feeds made due each time, until the kills are done and
    STORIES are out. A kill waits for its stage to take work, and with two replicas the other one may
    take a story first: new stories keep coming for as long as kills wait."""
    engine = create_db_engine(db_url)

    def run() -> None:
        for n in range(MAX_STORIES):
            if n >= STORIES and kills_done.is_set():
                break
            newsroom.publish(n)
            make_feeds_due(engine)
            kills_done.wait(1.5)
        engine.dispose()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _received(smtp: SmtpServer, hook: WebhookReceiver) -> dict[str, dict[int, set[str]]]:
    """channel -> story number -> the message ids it was sent under."""
    out: dict[str, dict[int, set[str]]] = {"hook": defaultdict(set), "mail": defaultdict(set)}
    for request in hook.accepted():
        document = json.loads(request.body)
        for story in document["stories"]:
            out["hook"][int(_STORY.search(story["title"])[1])].add(request.headers["Idempotency-Key"])  # type: ignore[index]
    for message in smtp.recorder.messages:
        out["mail"][int(_STORY.search(str(message["Subject"]))[1])].add(str(message["Message-ID"]))  # type: ignore[index]
    return out


def _alerted_without_kills(newsroom: Newsroom, folder: Path, smtp: SmtpServer,
                           hook: WebhookReceiver) -> set[int]:
    """The same site, finished, through one `monitor once` on a fresh database."""
    folder.mkdir()
    config = newsroom.write_config(folder, f"sqlite:///{folder / 'ref.db'}", hook.url, smtp.port, 9)
    before = len(hook.accepted())
    run_once(load_config(config))
    return {int(_STORY.search(json.loads(r.body)["stories"][0]["title"])[1])  # type: ignore[index]
            for r in hook.accepted()[before:]}


@contextmanager
def _feeds_kept_due(db_url: str) -> Iterator[None]:
    """Feeds made due every 0.3 s meanwhile: a poll kill needs the victim to poll, and once the site
    stops publishing (or while another replica takes every due feed first) nothing else makes it."""
    engine, done = create_db_engine(db_url), threading.Event()

    def run() -> None:
        while not done.wait(0.3):
            make_feeds_due(engine)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=10)
        engine.dispose()


def _chaos(newsroom: Newsroom, configs: list[Path], db_url: str, rng: random.Random) -> dict[str, int]:
    """KILLS kills, each inside the next stage in turn, of one of the replicas (the others run on)."""
    kills_done = threading.Event()
    publisher = _publishing(newsroom, db_url, kills_done)
    running = [Daemon(config) for config in configs]
    hits = dict.fromkeys(STAGES, 0)
    try:
        for kill in range(KILLS):
            stage, victim = STAGES[kill % len(STAGES)], kill % len(configs)
            with _feeds_kept_due(db_url) if stage == "poll" else nullcontext():
                hits[stage] += running[victim].kill_in(stage, rng, timeout=30)
            running[victim] = Daemon(configs[victim])  # restarted, as systemd would
        kills_done.set()
        publisher.join(timeout=STORIES * 2)
        engine = create_db_engine(db_url)
        make_feeds_due(engine)  # the last feed changes are picked up now, not in 15 minutes
        done = wait_until(lambda: settled(engine, len(newsroom.published)), 240)
        engine.dispose()
    finally:
        kills_done.set()
        logs = [daemon.stop() for daemon in running]
    assert done, "the daemons never finished the work left by the kills:\n" + logs[0][-3000:]
    return hits


def _check(received: dict[str, dict[int, set[str]]], reference: set[int], published: list[int],
           hits: dict[str, int]) -> None:
    assert all(hits.values()), f"some stage was never killed while working: {hits}"
    assert len(published) >= STORIES
    assert reference == set(published)
    for channel, stories in received.items():
        assert set(stories) == reference, channel
        several = {n: ids for n, ids in stories.items() if len(ids) != 1}
        assert not several, f"{channel}: stories sent under more than one message id: {several}"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkill_in_every_stage_on_sqlite_loses_nothing_and_alerts_once(
        sinks: tuple[SiteServer, SmtpServer, WebhookReceiver], tmp_path: Path) -> None:
    site, smtp, hook = sinks
    newsroom, url = Newsroom(site), f"sqlite:///{tmp_path / 'monitor.db'}"
    config = newsroom.write_config(tmp_path, url, hook.url, smtp.port, 0)
    engine = create_db_engine(url)
    migrate(engine)
    engine.dispose()
    hits = _chaos(newsroom, [config], url, random.Random(1201))
    received = _received(smtp, hook)
    reference = _alerted_without_kills(newsroom, tmp_path / "reference", smtp, hook)
    _check(received, reference, newsroom.published, hits)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(900)
def test_sigkill_in_every_stage_of_two_replicas_on_postgres_loses_nothing_and_alerts_once(
        sinks: tuple[SiteServer, SmtpServer, WebhookReceiver], tmp_path: Path, postgres_url: str) -> None:
    site, smtp, hook = sinks
    newsroom = Newsroom(site)
    configs = [newsroom.write_config(tmp_path, postgres_url, hook.url, smtp.port, r) for r in (0, 1)]
    engine = create_db_engine(postgres_url)
    migrate(engine)
    engine.dispose()
    hits = _chaos(newsroom, configs, postgres_url, random.Random(1202))
    received = _received(smtp, hook)
    reference = _alerted_without_kills(newsroom, tmp_path / "reference", smtp, hook)
    _check(received, reference, newsroom.published, hits)
