"""`monitor run`: APScheduler ticks each job; the database owns all schedule and delivery state.

Each job (poll, content, stories, match, deliver) has a tick of its own and runs until it has no
more work; a job that did something wakes the next one, so an article goes from feed to alert
without waiting for the next ticks, and the jobs overlap on different batches. SIGTERM lets the
running steps finish, then exits; SIGHUP reloads the config and watchlists between steps. A
retention job prunes old data; the web console, the JSON API, /healthz and /metrics are served on
`[web]` host:port.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.alerts.channels import build_channels
from monitor.app import build_embedder, build_watchlists, build_window, instance_owner, open_database
from monitor.clock import Clock, SystemClock
from monitor.config import Settings, load_config
from monitor.errors import ConfigError
from monitor.jobs.pipeline import JOBS, Pipeline, Shared, build_pipeline, run_until_idle
from monitor.net.http import HttpFetcher
from monitor.service.metrics import Metrics
from monitor.service.retention import run_retention
from monitor.storage.feeds import sync_feeds
from monitor.web.server import ConsoleContext, start_web_server

log = logging.getLogger(__name__)

NEXT_JOB = dict(itertools.pairwise(JOBS))  # who is woken when a job did something


class Daemon:
    def __init__(self, settings: Settings, *, poll_seconds: float, deliver_seconds: float,
                 jobs_seconds: float = 5.0, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.intervals = {"poll": poll_seconds, "content": jobs_seconds, "stories": jobs_seconds,
                          "match": jobs_seconds, "deliver": deliver_seconds}
        self.stopping = asyncio.Event()
        self._idle = asyncio.Condition()  # notified when a step ends (a reload waits for none running)
        self._running = 0
        self._reloading = False
        self._tasks: set[asyncio.Task[None]] = set()  # reloads in flight (kept referenced)
        self._scheduler: AsyncIOScheduler | None = None

    def prepare(self, fetcher: HttpFetcher) -> None:
        """Open the database and build the jobs (no model yet: it loads when an article needs it)."""
        self.shared, self.fetcher = self._build_shared(), fetcher
        channels = build_channels(self.settings.channels)
        self.pipeline = build_pipeline(self.settings, self.shared, fetcher, channels)

    async def run(self) -> None:
        fetcher = HttpFetcher(self.settings.http, clock=self.clock)  # used in this event loop only
        self.prepare(fetcher)
        shared = self.shared
        web = start_web_server(ConsoleContext.for_daemon(self.settings, shared))
        self._start_scheduler()
        log.info("daemon started", extra={"owner": shared.owner, "web": web.address})
        try:
            await self.stopping.wait()
            log.info("stopping: finishing the current steps")
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=False)
            async with self._idle:
                await self._idle.wait_for(lambda: self._running == 0)
        finally:
            web.close()
            await fetcher.aclose()
            self._close_channels(self.pipeline)
            shared.db.dispose()
        log.info("daemon stopped")

    def _build_shared(self) -> Shared:
        db = open_database(self.settings, self.clock)
        embedder = build_embedder(self.settings)
        return Shared(db=db, clock=self.clock, owner=instance_owner(self.settings), embedder=embedder,
                      window=build_window(self.settings, embedder, self.clock),
                      watchlists=build_watchlists(self.settings, embedder), metrics=Metrics())

    def _start_scheduler(self) -> None:
        # A tick skipped while the previous one runs is normal with coalescing: not worth a warning.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._on_hup)
        scheduler = AsyncIOScheduler(job_defaults={"coalesce": True, "max_instances": 1,
                                                   "misfire_grace_time": 60})
        for job, seconds in self.intervals.items():
            scheduler.add_job(self.tick, "interval", args=[job], seconds=seconds, id=job,
                              next_run_time=datetime.now(UTC))
        scheduler.add_job(self.retention_tick, "interval", id="retention",
                          hours=self.settings.service.retention_interval_hours)
        scheduler.start()
        self._scheduler = scheduler

    async def tick(self, job: str) -> None:
        """One tick of `job`: runs until it has no more work; wakes the next job if it did something."""
        with self._step() as allowed:
            if not allowed:
                return
            pipeline = self.pipeline
            with pipeline.metrics.time_cycle(job):
                report = (await run_until_idle(pipeline, jobs=(job,), should_stop=self.stopping.is_set))[job]
            if report.worked:
                log.info("job done", extra={"job": job, "done": report.done, "failed": report.failed,
                                            **report.counts})
                self._wake(NEXT_JOB.get(job))

    async def retention_tick(self) -> None:
        with self._step() as allowed:
            if allowed:
                await asyncio.to_thread(run_retention, self.shared.db, self.clock,
                                        self.settings.service.retention_days)

    @contextmanager
    def _step(self) -> Iterator[bool]:
        """Counts a running step; says False while stopping or reloading (the tick is skipped)."""
        if self.stopping.is_set() or self._reloading:
            yield False
            return
        self._running += 1
        try:
            yield True
        finally:
            self._running -= 1
            task = asyncio.get_running_loop().create_task(self._notify())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._idle:
            self._idle.notify_all()

    def _wake(self, job: str | None) -> None:
        if job is not None and self._scheduler is not None and not self.stopping.is_set():
            scheduled = self._scheduler.get_job(job)
            if scheduled is not None:
                scheduled.modify(next_run_time=datetime.now(UTC))

    def _on_hup(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        """SIGHUP: new config, channels and watchlists between steps, never under a running one (a
        delivery may be sending through the channels the reload closes). A broken file keeps all."""
        self._reloading = True
        try:
            async with self._idle:
                await self._idle.wait_for(lambda: self._running == 0)
            errors = await asyncio.to_thread(self.reload_config)
        finally:
            self._reloading = False
        log.info("config reloaded on SIGHUP", extra={"errors": len(errors)})

    def reload_config(self) -> list[str]:
        """Read the config file again: feeds, channels, watchlists and job settings change; the errors."""
        if self.settings.source is None:
            return ["no config file to reload"]
        try:
            fresh = load_config(self.settings.source)
        except ConfigError as exc:
            log.error("config reload failed, keeping the running config: %s", exc)
            return [str(exc)]
        with self.shared.db.begin() as conn:
            sync_feeds(conn, fresh.feeds, self.clock.now())
        self.shared.watchlists.reconfigure(fresh.watchlists.directory, set(fresh.channels))
        kept = ("database", "http", "stories", "service", "web")
        if any(getattr(fresh, k) != getattr(self.settings, k) for k in kept):
            log.warning("config reloaded; [database], [http], [stories], [service] and [web] changes need a "
                        "restart")
        self.settings = fresh.model_copy(update={k: getattr(self.settings, k) for k in kept})
        old, self.pipeline = self.pipeline, build_pipeline(self.settings, self.shared, self.fetcher,
                                                           build_channels(self.settings.channels))
        self._close_channels(old)
        return [str(e) for e in self.shared.watchlists.errors]

    @staticmethod
    def _close_channels(pipeline: Pipeline) -> None:
        for channel in pipeline.deliver.channels.values():
            channel.close()
