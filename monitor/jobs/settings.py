"""`[jobs]`: how much each job takes per claim, how long a claim lasts, when a failing item is final."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JobSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Attempts before an entry (page), an article (placement) or a story (matching) is given up on;
    # its last error stays visible (`monitor feeds list --errors`, `monitor stories show`).
    max_attempts: int = Field(default=3, ge=1)
    # A claim by a process that died frees itself after this long (another replica takes over);
    # unless set, the same as `[polling] lease_seconds`.
    lease_seconds: int = Field(default=300, gt=0)
    # Items per claim. Small claims keep the jobs overlapping (the next job starts on the first batch)
    # and finish well inside their lease however slow the host; the jobs loop until none is left.
    content_batch: int = Field(default=32, gt=0)  # entries fetched and extracted per claim
    stories_batch: int = Field(default=32, gt=0)  # articles embedded and placed per claim
    match_batch: int = Field(default=32, gt=0)  # stories matched per claim
