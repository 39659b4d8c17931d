"""Service-mode settings: log format, retention, health check and this replica's name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ServiceSettings(BaseModel):
    """`[service]` in the TOML config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Deprecated aliases of `[web] host` and `[web] port` (one server has /healthz, /metrics and the
    # console); used when `[web]` does not set them. None: not given.
    metrics_host: str | None = None
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    health_timeout_seconds: float = Field(default=3.0, gt=0)  # /healthz answers 503 past this
    json_logs: bool = False
    log_level: str = "INFO"
    # Articles (and their vectors) older than this are deleted, except those of alerted stories.
    retention_days: int | None = Field(default=90, ge=1)  # None keeps everything
    retention_interval_hours: float = Field(default=24.0, gt=0)
    # Names this replica in leases and logs; empty = "<hostname>-<pid>" chosen at start.
    instance_name: str = ""
