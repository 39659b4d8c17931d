"""`run_overlapped`: every item flows through every job, the jobs work side by side, and it ends."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import cast

from monitor.jobs.pipeline import JOBS, Pipeline, run_overlapped
from monitor.jobs.report import JobReport


class Flow:
    """Five queues: each run of a job moves up to `batch` items from its queue to the next one."""

    def __init__(self, items: int, batch: int) -> None:
        self.queues = {job: deque[int]() for job in JOBS}
        self.queues["poll"].extend(range(items))
        self.out: list[int] = []
        self.batch = batch
        self.order: list[tuple[str, int]] = []  # (job, items moved) as they ran

    async def run(self, job: str) -> JobReport:
        await asyncio.sleep(0)  # let the other jobs run in between, as real I/O does
        queue = self.queues[job]
        moved = [queue.popleft() for _ in range(min(self.batch, len(queue)))]
        after = JOBS.index(job) + 1
        (self.queues[JOBS[after]] if after < len(JOBS) else self.out).extend(moved)
        self.order.append((job, len(moved)))
        return JobReport(job, done=len(moved), more=len(moved) == self.batch)


def test_every_item_reaches_the_end_with_the_jobs_side_by_side() -> None:
    flow = Flow(items=10, batch=2)
    totals = asyncio.run(run_overlapped(cast(Pipeline, flow)))
    assert sorted(flow.out) == list(range(10))
    assert all(totals[job].done == 10 for job in JOBS)
    ran = [job for job, moved in flow.order if moved]
    last_poll = len(ran) - 1 - ran[::-1].index("poll")
    assert ran.index("deliver") < last_poll  # delivery began before polling ended


def test_nothing_to_do_ends_at_once() -> None:
    flow = Flow(items=0, batch=2)
    totals = asyncio.run(run_overlapped(cast(Pipeline, flow)))
    assert all(t.done == 0 for t in totals.values())
    assert len(flow.order) <= 2 * len(JOBS)  # each looks once, and once more after the one before it ended


def test_a_stop_request_ends_every_job() -> None:
    flow = Flow(items=1000, batch=1)
    stops = iter(range(40))
    asyncio.run(run_overlapped(cast(Pipeline, flow), should_stop=lambda: next(stops, None) is None))
    assert len(flow.order) < 60 and len(flow.out) < 1000
