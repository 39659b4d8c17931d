"""What one run of a job did, summed over runs for `monitor once` and the daemon's logs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobReport:
    job: str
    done: int = 0  # items the job finished (feeds polled, articles stored, stories matched, ...)
    failed: int = 0  # items that failed this time (retried later, or final)
    more: bool = False  # it claimed a full batch: there may be more work right now
    counts: dict[str, int] = field(default_factory=dict)  # job-specific figures, e.g. {"duplicates": 3}
    errors: tuple[str, ...] = ()  # one line per failed item, for people
    cpu_seconds: float = 0.0  # of the job's worker threads (the event loop's share is not counted)
    wall_seconds: float = 0.0
    crashed: bool = False  # a run stopped on an error of its own (the database, a bug): see errors

    @property
    def worked(self) -> bool:
        return bool(self.done or self.failed)

    def __add__(self, other: JobReport) -> JobReport:
        counts = dict(self.counts)
        for key, value in other.counts.items():
            counts[key] = counts.get(key, 0) + value
        return JobReport(self.job, self.done + other.done, self.failed + other.failed, other.more, counts,
                         self.errors + other.errors, self.cpu_seconds + other.cpu_seconds,
                         self.wall_seconds + other.wall_seconds, self.crashed or other.crashed)
