"""The deliver job: due outbox rows -> email / chat / webhook (the work is in alerts.deliver)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from monitor.alerts.channels import Channel
from monitor.alerts.deliver import deliver_due
from monitor.alerts.settings import DeliverySettings
from monitor.clock import Clock
from monitor.jobs.report import JobReport
from monitor.service.metrics import Metrics
from monitor.watch.loader import WatchlistSet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverContext:
    db: Engine
    channels: Mapping[str, Channel]
    watchlists: WatchlistSet  # their delivery policies: digests, quiet hours, rate limits
    clock: Clock
    settings: DeliverySettings
    owner: str
    metrics: Metrics


def run_deliver(ctx: DeliverContext) -> JobReport:
    """Send what is due, at most a batch per channel (runs in a worker thread)."""
    policies = {w.name: w.delivery for w in ctx.watchlists.current()}
    report = deliver_due(ctx.db, ctx.channels, now=ctx.clock.now(), settings=ctx.settings, owner=ctx.owner,
                         watchlists=policies)
    for answer in report.answers:
        ctx.metrics.alert_delivery(answer.channel, "sent")
    for channel, reason in report.errors:
        ctx.metrics.alert_delivery(channel, "error")
        log.warning("alert delivery failed", extra={"channel": channel, "error": reason})
    # A run that sent something may have stopped at a channel's batch: run again until one sends nothing.
    return JobReport("deliver", done=report.sent, failed=report.retrying + report.failed,
                     more=report.sent > 0, errors=tuple(f"{c}: {r}" for c, r in report.errors),
                     counts={"sent": report.sent, "retrying": report.retrying, "failed": report.failed,
                             "deferred": report.deferred})
