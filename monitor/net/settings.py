"""Settings of the one shared HTTP client (feeds and pages)."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_USER_AGENT = "news-monitor/0.1 (+https://github.com/news-monitor)"


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    write_timeout: float = Field(default=10.0, gt=0)
    pool_timeout: float = Field(default=30.0, gt=0)
    # Whole request, redirects included: a server dripping one byte a second cannot hold us.
    total_timeout: float = Field(default=60.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    max_connections: int = Field(default=100, ge=1)
    per_host_limit: int = Field(default=2, ge=1)
    allow_private_addresses: bool = False
    # Networks allowed even though they are private/loopback (tests allow 127.0.0.0/8).
    allowed_networks: tuple[str, ...] = ()

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"not a network: {cidr!r} ({exc})") from exc
        return value
