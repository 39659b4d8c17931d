"""Small shared steps of the alert tests: plan matches, run a delivery cycle, read the outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Engine

from monitor.alerts import DeliveryReport, DeliverySettings, WatchlistDelivery, deliver_due, plan_alerts
from monitor.alerts.channels import Channel
from monitor.alerts.settings import EmailChannelSettings, WebhookChannelSettings
from monitor.clock import FakeClock
from monitor.models import Alert, Hit, Match
from monitor.storage import outbox
from tests.alerts.servers import SmtpServer, WebhookReceiver

SECRET = "s3cret-key"
WATCHLISTS = {"energy": WatchlistDelivery()}


def email_settings(smtp: SmtpServer) -> EmailChannelSettings:
    return EmailChannelSettings(host="127.0.0.1", port=smtp.port, security="none",
                                from_addr="monitor@example.org", to=["ops@example.org"], timeout=5)


def webhook_settings(receiver: WebhookReceiver, timeout: float = 5) -> WebhookChannelSettings:
    return WebhookChannelSettings(url=receiver.url, secret=SECRET, timeout=timeout)  # type: ignore[arg-type]


def plan(engine: Engine, clock: FakeClock, story_ids: Sequence[int], *, watchlist: str = "energy",
         channels: tuple[str, ...] = ("mail",), policy: WatchlistDelivery | None = None) -> int:
    matches = [Match(story_id=s, watchlist=watchlist, channels=channels, score=0.8,
                     hits=(Hit(term="pipeline", field="title"),)) for s in story_ids]
    with engine.begin() as conn:
        return plan_alerts(conn, matches, watchlists={watchlist: policy or WatchlistDelivery()},
                           now=clock.now())


def run(engine: Engine, channels: Mapping[str, Channel], clock: FakeClock, *,
        watchlists: Mapping[str, WatchlistDelivery] | None = None,
        settings: DeliverySettings | None = None) -> DeliveryReport:
    return deliver_due(engine, channels, now=clock.now(), settings=settings or DeliverySettings(),
                       owner="test", watchlists=watchlists or {"energy": WatchlistDelivery()})


def rows(engine: Engine) -> list[Alert]:
    with engine.begin() as conn:
        return outbox.list_alerts(conn)
