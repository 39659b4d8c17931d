"""`monitor run`: APScheduler ticks; the database owns all schedule and delivery state.

Two jobs: a poll tick (claims due feeds and runs the content, story and alert-planning stages)
and a delivery tick. SIGTERM lets the running step finish, then exits; SIGHUP reloads the config and
watchlists.
A retention job prunes old articles; the console, /healthz and /metrics are served on `[web]` host:port.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.app import App
from monitor.pipeline import deliver_pending, run_cycle
from monitor.service.retention import run_retention
from monitor.web.server import ConsoleContext, start_web_server

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, app: App, *, poll_seconds: float, deliver_seconds: float) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.deliver_seconds = deliver_seconds
        self.stopping = asyncio.Event()
        self.busy = asyncio.Lock()  # one step at a time; SIGTERM waits for the running one
        self._tasks: set[asyncio.Task[None]] = set()  # reloads in flight (kept referenced)

    async def poll_tick(self) -> None:
        if self.stopping.is_set():
            return
        async with self.busy:
            with self.app.metrics.time_cycle("poll"):
                report = await run_cycle(self.app, deliver=False)
            log.info("cycle done: %s new articles, %s alerts planned",
                     report.articles, report.planned_alerts)

    async def deliver_tick(self) -> None:
        if self.stopping.is_set():
            return
        async with self.busy:
            with self.app.metrics.time_cycle("deliver"):
                await asyncio.to_thread(deliver_pending, self.app)

    async def retention_tick(self) -> None:
        if self.stopping.is_set():
            return
        async with self.busy:
            days = self.app.settings.service.retention_days
            await asyncio.to_thread(run_retention, self.app.engine, self.app.clock, days)

    async def run(self) -> None:
        # A tick skipped while the previous one runs is normal with coalescing: not worth a warning.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._on_hup)
        scheduler = AsyncIOScheduler(job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 60,
        })
        scheduler.add_job(self.poll_tick, "interval", seconds=self.poll_seconds, id="poll",
                          next_run_time=self.app.clock.now())
        scheduler.add_job(self.deliver_tick, "interval", seconds=self.deliver_seconds, id="deliver",
                          next_run_time=self.app.clock.now())
        service = self.app.settings.service
        scheduler.add_job(self.retention_tick, "interval", hours=service.retention_interval_hours,
                          id="retention")
        web = start_web_server(ConsoleContext.from_app(self.app))
        scheduler.start()
        log.info("daemon started", extra={"owner": self.app.owner, "web": web.address})
        try:
            await self.stopping.wait()
            log.info("stopping: finishing the current step")
            scheduler.shutdown(wait=False)
            async with self.busy:  # waits for the running step, then nothing new starts
                pass
        finally:
            web.close()
            await self.app.aclose()
        log.info("daemon stopped")

    def _on_hup(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        """SIGHUP: swap config, channels and watchlists between steps, never under a running one
        (the delivery thread may be sending through the channels the reload closes)."""
        async with self.busy:
            errors = self.app.reload()
        log.info("config reloaded on SIGHUP", extra={"errors": len(errors)})
