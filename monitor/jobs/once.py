"""`monitor once`: build what the jobs need from the config, run them until none has work, close it all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from monitor.alerts.channels import build_channels
from monitor.app import build_embedder, build_watchlists, build_window, instance_owner, open_database
from monitor.clock import Clock, SystemClock
from monitor.config import Settings
from monitor.jobs.pipeline import JOBS, Pipeline, Shared, build_pipeline, run_overlapped
from monitor.jobs.report import JobReport
from monitor.net.http import HttpFetcher
from monitor.service.metrics import Metrics
from monitor.storage.feeds import make_all_due


@dataclass(frozen=True)
class OnceResult:
    reports: dict[str, JobReport]  # by job, summed over its runs
    shared: Shared  # closed: for looking back (was the model loaded? the window built?)

    def report(self, job: str) -> JobReport:
        return self.reports[job]


def run_once(settings: Settings, *, clock: Clock | None = None, all_feeds: bool = False,
             jobs: tuple[str, ...] = JOBS,
             on_report: Callable[[JobReport], None] | None = None) -> OnceResult:
    """Every job until none has work, side by side, in an event loop of its own; `all_feeds` polls
    every enabled feed whatever its schedule; `jobs` picks some of them (a benchmark of one job)."""
    return asyncio.run(run_once_async(settings, clock=clock, all_feeds=all_feeds, jobs=jobs,
                                      on_report=on_report))


async def run_once_async(settings: Settings, *, clock: Clock | None = None, all_feeds: bool = False,
                         jobs: tuple[str, ...] = JOBS,
                         on_report: Callable[[JobReport], None] | None = None) -> OnceResult:
    async with open_pipeline(settings, clock=clock) as (pipeline, shared):
        if all_feeds:
            with shared.db.begin() as conn:
                make_all_due(conn, now=shared.clock.now())
        reports = await run_overlapped(pipeline, jobs=jobs, on_report=on_report)
    return OnceResult(reports, shared)


@asynccontextmanager
async def open_pipeline(settings: Settings, *, clock: Clock | None = None
                        ) -> AsyncIterator[tuple[Pipeline, Shared]]:
    """The jobs of one process, built from the config, closed on the way out."""
    clock = clock or SystemClock()
    db = open_database(settings, clock)
    embedder = build_embedder(settings)
    shared = Shared(db=db, clock=clock, owner=instance_owner(settings), embedder=embedder,
                    window=build_window(settings, embedder, clock),
                    watchlists=build_watchlists(settings, embedder), metrics=Metrics())
    channels = build_channels(settings.channels)
    fetcher = HttpFetcher(settings.http, clock=clock)
    try:
        yield build_pipeline(settings, shared, fetcher, channels), shared
    finally:
        await fetcher.aclose()
        for channel in channels.values():
            channel.close()
        db.dispose()
