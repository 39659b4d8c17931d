"""Alert planning and delivery throughput against local servers (aiosmtpd and an HTTP receiver).

    python -m bench.alerts_delivery [--stories 500] [--db sqlite:///...|postgresql+psycopg://...]

Plans one alert per story on an email and a webhook channel, then runs delivery cycles until the
outbox is empty, and prints alerts planned per second and messages delivered per second.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from monitor.alerts import DeliverySettings, WatchlistDelivery, build_channels, deliver_due, plan_alerts
from monitor.alerts.settings import EmailChannelSettings, WebhookChannelSettings
from monitor.clock import SystemClock
from monitor.demo.smtp_sink import SmtpSink
from monitor.demo.webhook_sink import WebhookSink
from monitor.models import Hit, Match
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.tables import articles, outbox, stories


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts_delivery")
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        smtp, hook = SmtpSink().start(), WebhookSink().start()
        try:
            figures = _measure(engine, args.stories, smtp, hook)
        finally:
            smtp.stop()
            hook.stop()
            engine.dispose()
    shown = shlex.join(argv if argv is not None else sys.argv[1:])
    print(f"command: PYTHONPATH=. python -m bench.alerts_delivery {shown}".rstrip())
    print(f"database: {engine.url.get_backend_name()}, stories: {args.stories}, channels: email + webhook")
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 0


def _measure(engine: Engine, count: int, smtp: SmtpSink, hook: WebhookSink) -> dict[str, str]:
    now, story_ids = SystemClock().now(), []
    with engine.begin() as conn:
        for n in range(count):
            story_id = conn.execute(insert(stories).values(
                title=f"Story {n}", first_seen_at=now, last_seen_at=now, article_count=1,
                languages=["en"], sources=["Wire"])).inserted_primary_key[0]
            url = f"https://wire.example/{story_id}"
            conn.execute(insert(articles).values(
                canonical_url=url, url=url, source="Wire", title=f"Story {n}", text="", language="en",
                fetched_at=now, text_hash=url, story_id=story_id))
            story_ids.append(story_id)
    matches = [Match(story_id=s, watchlist="bench", channels=("mail", "hook"), score=0.5,
                     hits=(Hit(term="story", field="title"),)) for s in story_ids]
    watchlists = {"bench": WatchlistDelivery()}
    started = time.perf_counter()
    with engine.begin() as conn:
        planned = plan_alerts(conn, matches, watchlists=watchlists, now=now)
    plan_seconds = time.perf_counter() - started
    channels = build_channels({
        "mail": EmailChannelSettings(host="127.0.0.1", port=smtp.port, security="none",
                                     from_addr="bench@example.org", to=["ops@example.org"]),
        "hook": WebhookChannelSettings(url=hook.url),
    })
    settings, runs, sent = DeliverySettings(batch_size=100), 0, 0
    started = time.perf_counter()
    while True:
        report = deliver_due(engine, channels, now=SystemClock().now(), settings=settings, owner="bench",
                             watchlists=watchlists)
        runs, sent = runs + 1, sent + report.sent
        if not report.sent:
            break
    deliver_seconds = time.perf_counter() - started
    with engine.begin() as conn:
        left = conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.state != "sent"))
    return {
        "planned": f"{planned} alerts in {plan_seconds:.2f} s ({planned / plan_seconds:.0f} alerts/s)",
        "delivered": f"{sent} messages in {deliver_seconds:.2f} s over {runs} runs "
                     f"({sent / deliver_seconds:.0f} messages/s, both channels in parallel)",
        "received": f"smtp {len(smtp.messages)}, webhook {hook.received}, not sent {left}",
    }


if __name__ == "__main__":
    raise SystemExit(main())
