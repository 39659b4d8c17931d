"""The poll job: due feeds -> conditional GET -> parse -> new entries (the work is in ingest.cycle)."""

from __future__ import annotations

import logging

from monitor.ingest.cycle import PollContext, PollReport, poll_due
from monitor.jobs.report import JobReport
from monitor.service.metrics import Metrics

log = logging.getLogger(__name__)


async def run_poll(ctx: PollContext, metrics: Metrics) -> JobReport:
    """Poll one claim of due feeds; each feed's outcome is recorded on the feed."""
    report = await poll_due(ctx)
    _count(report, metrics)
    errors = tuple(f"{o.name}: {o.error}" for o in report.outcomes if o.error)
    return JobReport("poll", done=len(report.outcomes) - len(errors), failed=len(errors),
                     more=len(report.outcomes) >= ctx.settings.batch_size, errors=errors,
                     counts={"feeds": len(report.outcomes), "new_entries": report.new_entries,
                             "not_modified": sum(o.http_status == 304 for o in report.outcomes)})


def _count(poll: PollReport, metrics: Metrics) -> None:
    for outcome in poll.outcomes:
        kind = "error" if outcome.error else "not_modified" if outcome.http_status == 304 else "ok"
        metrics.feed_polled(kind)
        if outcome.error:
            metrics.error("feed")
            log.warning("feed poll failed", extra={"feed_id": outcome.feed_id, "feed": outcome.name,
                                                   "url": outcome.url, "error": outcome.error})
    metrics.entries_new.inc(poll.new_entries)
