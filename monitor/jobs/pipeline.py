"""The five jobs' contexts, built from one config, and `run_until_idle`: the jobs in flow order, each
until it has no more work, round after round until a round does nothing (`monitor once`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from monitor.alerts.channels import Channel
from monitor.clock import Clock
from monitor.config import Settings
from monitor.ingest.cycle import PollContext
from monitor.jobs.content import ContentContext, run_content
from monitor.jobs.deliver import DeliverContext, run_deliver
from monitor.jobs.match import MatchContext, run_match
from monitor.jobs.poll import run_poll
from monitor.jobs.report import JobReport
from monitor.jobs.stories import StoriesContext, WindowSlot, run_stories
from monitor.net.http import HttpFetcher
from monitor.service.metrics import Metrics
from monitor.stories.embedding import Embedder
from monitor.watch.loader import WatchlistSet

JOBS = ("poll", "content", "stories", "match", "deliver")


@dataclass(frozen=True)
class Shared:
    """What outlives a config reload: the database, the clock, this process's lease name, the model
    and the story window (both built on first use), the watchlist folder and the metrics."""

    db: Engine
    clock: Clock
    owner: str
    embedder: Embedder
    window: WindowSlot
    watchlists: WatchlistSet
    metrics: Metrics


@dataclass(frozen=True)
class Pipeline:
    poll: PollContext
    content: ContentContext
    stories: StoriesContext
    match: MatchContext
    deliver: DeliverContext
    metrics: Metrics = field(repr=False)

    async def run(self, job: str) -> JobReport:
        """One run of `job` (one claim of its input), timed."""
        cpu, wall = time.process_time(), time.perf_counter()
        report = await self._run(job)
        return replace(report, cpu_seconds=time.process_time() - cpu, wall_seconds=time.perf_counter() - wall)

    async def _run(self, job: str) -> JobReport:
        if job == "poll":
            return await run_poll(self.poll, self.metrics)
        if job == "content":
            return await run_content(self.content)
        step: Callable[[], JobReport] = {
            "stories": lambda: run_stories(self.stories),
            "match": lambda: run_match(self.match),
            "deliver": lambda: run_deliver(self.deliver),
        }[job]
        return await asyncio.to_thread(step)  # CPU and blocking I/O: off the event loop


def build_pipeline(settings: Settings, shared: Shared, fetcher: HttpFetcher,
                   channels: Mapping[str, Channel]) -> Pipeline:
    db, clock, owner, metrics = shared.db, shared.clock, shared.owner, shared.metrics
    return Pipeline(
        poll=PollContext(engine=db, fetcher=fetcher, clock=clock, settings=settings.polling, owner=owner),
        content=ContentContext(db, fetcher, clock, settings.content, settings.jobs, owner, metrics),
        stories=StoriesContext(db, shared.window, clock, settings.jobs, owner, metrics),
        match=MatchContext(db, shared.watchlists, shared.embedder, clock, settings.jobs, owner, metrics),
        deliver=DeliverContext(db, channels, shared.watchlists, clock, settings.delivery, owner, metrics),
        metrics=metrics,
    )


async def run_until_idle(pipeline: Pipeline, *, jobs: tuple[str, ...] = JOBS,
                         should_stop: Callable[[], bool] = lambda: False,
                         on_report: Callable[[JobReport], None] | None = None) -> dict[str, JobReport]:
    """Every job in order, each until it has no more work, until a whole round does nothing; the sum
    of each job's reports. Work a job leaves for later (a retry after its backoff) ends the loop."""
    totals = {job: JobReport(job) for job in jobs}
    while not should_stop():
        worked = False
        for job in jobs:
            while not should_stop():
                report = await pipeline.run(job)
                totals[job] += report
                if on_report is not None:
                    on_report(report)
                worked = worked or report.worked
                if not (report.more and report.worked):
                    break
        if not worked:
            break
    return totals
