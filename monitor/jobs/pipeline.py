"""The five jobs' contexts, built from one config, and two ways to run them until none has work:
`run_overlapped` (all at once, each on what the one before it finished: `monitor once`) and
`run_until_idle` (in flow order, each until it has no more work, round after round).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

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
from monitor.watch.loader import WatchlistSet

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

JOBS = ("poll", "content", "stories", "match", "deliver")
log = logging.getLogger(__name__)


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
        """One run of `job` (one claim of its input), timed. A run that raises (the database went
        away, a bug) is logged and reported, and claims nothing more: its claims run out and are
        taken again by the next run."""
        wall = time.perf_counter()
        try:
            report = await self._run(job)
        except Exception as exc:
            log.exception("job run failed", extra={"job": job})
            self.metrics.error(job)
            report = JobReport(job, errors=(f"the {job} job stopped: {type(exc).__name__}: {exc}",),
                               crashed=True)
        return replace(report, wall_seconds=time.perf_counter() - wall)

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
        return await asyncio.to_thread(_timed, step)  # CPU and blocking I/O: off the event loop


def _timed(step: Callable[[], JobReport]) -> JobReport:
    """The report, with the CPU time of the worker thread that ran it."""
    start = time.thread_time()
    report = step()
    return replace(report, cpu_seconds=time.thread_time() - start)


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


async def run_overlapped(pipeline: Pipeline, *, jobs: tuple[str, ...] = JOBS,
                         should_stop: Callable[[], bool] = lambda: False,
                         on_report: Callable[[JobReport], None] | None = None) -> dict[str, JobReport]:
    """Every job at once, each on the batches the one before it has finished, until the first has no
    more work and each of the others has found none after the one before it stopped: fetching,
    extraction and the model then work side by side. Each claim is bounded, so memory stays flat."""
    totals = {job: JobReport(job) for job in jobs}
    woken = {job: asyncio.Event() for job in jobs}
    finished = {job: asyncio.Event() for job in jobs}

    async def loop(position: int, job: str) -> None:
        upstream = jobs[position - 1] if position else None
        after = jobs[position + 1] if position + 1 < len(jobs) else None
        while not should_stop():
            woken[job].clear()
            upstream_done = upstream is None or finished[upstream].is_set()
            report = await pipeline.run(job)
            totals[job] += report
            if on_report is not None:
                on_report(report)
            if report.worked and after is not None:
                woken[after].set()
            if report.more and report.worked:
                continue
            if upstream_done and not report.worked:
                break  # nothing came, nothing will
            if not upstream_done:
                await woken[job].wait()
        finished[job].set()
        if after is not None:
            woken[after].set()

    await asyncio.gather(*(loop(position, job) for position, job in enumerate(jobs)))
    return totals


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
