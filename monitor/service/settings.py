"""Service-mode settings: the local HTTP endpoint, log format, retention and this replica's name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ServiceSettings(BaseModel):
    """`[service]` in the TOML config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # /healthz and /metrics. Loopback by default: put a proxy in front to expose it.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=9464, ge=0, le=65535)  # 0 or None: no HTTP server
    health_timeout_seconds: float = Field(default=3.0, gt=0)  # /healthz answers 503 past this
    json_logs: bool = False
    log_level: str = "INFO"
    # Articles (and their vectors) older than this are deleted, except those of alerted stories.
    retention_days: int | None = Field(default=90, ge=1)  # None keeps everything
    retention_interval_hours: float = Field(default=24.0, gt=0)
    # Names this replica in leases and logs; empty = "<hostname>-<pid>" chosen at start.
    instance_name: str = ""

    @property
    def web_enabled(self) -> bool:
        return bool(self.metrics_port)
