"""A console on a real loopback port over a small database seeded through the repository functions.

Two stories (one in English and Arabic that matched `syria`, one unrelated), three feeds (one
failing), two alerts for the matched story (one failed for good, one pending).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Connection

from monitor.alerts.plan import plan_alerts
from monitor.alerts.policy import WatchlistDelivery
from monitor.clock import FakeClock
from monitor.config import DatabaseSettings, Settings, WatchlistsSettings
from monitor.models import Article, FeedUpdate, Hit, Match, Placement
from monitor.net.settings import HttpSettings
from monitor.service.metrics import Metrics
from monitor.storage import articles as article_repo
from monitor.storage import outbox
from monitor.storage import stories as story_repo
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.feeds import add_feed, record_poll
from monitor.storage.story_store import DatabaseStoryStore
from monitor.watch.loader import WatchlistSet
from monitor.web.context import ConsoleContext, FolderWatchlists
from monitor.web.server import WebServer, start_web_server
from monitor.web.settings import WebSettings

TOKEN = "web-console-test-token-0123456789"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WATCHLIST = 'name = "syria"\nchannels = ["desk-email", "ops-hook"]\nterms = ["Baghouz", "الباغوز"]\n'


@dataclass(frozen=True)
class Seeded:
    context: ConsoleContext
    server: WebServer
    baghouz: int  # story ids
    football: int
    failed_alert: int
    pending_alert: int

    @property
    def base(self) -> str:
        assert self.server.url is not None
        return self.server.url.rstrip("/")

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10, trust_env=False, **kwargs)  # type: ignore[arg-type]

    def authed(self) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {TOKEN}"})


def make_article(title: str, language: str, source: str, slug: str, text: str) -> Article:
    url = f"http://127.0.0.1:9/{slug}"
    return Article(url=url, canonical_url=url, title=title, text=text, language=language, published=NOW,
                   source=source)


def store_article(conn: Connection, article: Article, story_id: int | None, feed_id: int, reason: str,
                  score: float) -> int:
    """Stored as the content job stores it, placed as the stories job places it."""
    article_id, _ = article_repo.insert_pending(conn, article, feed_id=feed_id,
                                                text_hash=article.canonical_url, simhash=None, now=NOW)
    [pending] = article_repo.claim_unplaced(conn, now=NOW, owner="seed", limit=1, lease_seconds=60,
                                            max_attempts=3)
    assert pending.article_id == article_id
    store = DatabaseStoryStore(conn, now=NOW)
    story = story_id or store.new_story(pending)
    store.place(pending, Placement(story, score, reason))
    return story


def seed(context: ConsoleContext) -> tuple[int, int, int, int]:
    with context.engine.begin() as conn:
        wire = add_feed(conn, name="wire-en", url="http://127.0.0.1:9/wire.rss", tags=["en"], now=NOW)
        desk = add_feed(conn, name="desk-ar", url="http://127.0.0.1:9/desk.rss", tags=["ar"], now=NOW)
        broken = add_feed(conn, name="broken-feed", url="http://127.0.0.1:9/gone.rss", tags=[], now=NOW)
        record_poll(conn, broken.id, FeedUpdate(checked_at=NOW, next_check_at=NOW + timedelta(hours=1),
                                                status=404, error="HTTP 404"), NOW)
        baghouz = store_article(conn, make_article("Fighting at Baghouz", "en", "wire-en", "en-baghouz",
                                        "SDF fighters advanced on Baghouz."), None, wire.id, "new", 1.0)
        arabic = make_article("قصف على الباغوز", "ar", "desk-ar", "ar-baghouz", "قصف جوي على الباغوز.")
        store_article(conn, arabic, baghouz, desk.id, "similar", 0.62)
        football = store_article(conn, make_article("Cup final tonight", "en", "wire-en", "en-football",
                                         "The final kicks off at eight."), None, wire.id, "new", 1.0)
        match = Match(baghouz, "syria", ("desk-email", "ops-hook"), 2.0,
                      (Hit("Baghouz", "title", None, "Fighting at Baghouz", 1.0),))
        story_repo.record_matches(conn, [match], now=NOW)
        plan_alerts(conn, [match], watchlists={"syria": WatchlistDelivery()}, now=NOW)
        story_repo.mark_alerted(conn, [baghouz])
        claimed = outbox.claim(conn, "ops-hook", kind="instant", now=NOW, owner="test", lease_until=NOW
                               + timedelta(minutes=5), limit=1)
        outbox.record_failure(conn, [claimed[0].id], "test", error="connection refused", next_attempt_at=None)
        pending = outbox.latest_for(conn, baghouz, "syria", "desk-email")
        assert pending is not None
    return baghouz, football, claimed[0].id, pending.id


def console_settings(tmp_path: Path, *, token: str | None = TOKEN, host: str = "127.0.0.1") -> Settings:
    folder = tmp_path / "watchlists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "syria.toml").write_text(WATCHLIST, encoding="utf-8")
    return Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'console.db'}"),
        http=HttpSettings(allowed_networks=("127.0.0.0/8",)),
        watchlists=WatchlistsSettings(directory=folder),
        web=WebSettings(host=host, port=0, token=SecretStr(token) if token else None,
                        timezone="Europe/Paris"),
    )


def make_context(settings: Settings) -> ConsoleContext:
    engine = create_db_engine(settings.database.url)
    migrate(engine)
    watchlists = FolderWatchlists(WatchlistSet(settings.watchlists.directory, None, None))
    return ConsoleContext(settings=settings, engine=engine, clock=FakeClock(NOW), metrics=Metrics(),
                          watchlists=watchlists, embedder=None)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    context = make_context(console_settings(tmp_path))
    ids = seed(context)
    server = start_web_server(context)
    try:
        yield Seeded(context, server, *ids)
    finally:
        server.close()
        context.engine.dispose()
