"""Channel and delivery settings: `[channels.NAME]` tables and the `[delivery]` table of the main TOML.

Secrets (SMTP password, webhook secret, Apprise URLs, which carry tokens) are `SecretStr`, so they
never appear in logs, reprs or validation errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailChannelSettings(_Frozen):
    type: Literal["email"] = "email"
    host: str
    port: int | None = Field(default=None, ge=1, le=65535)  # None: 587 starttls, 465 tls, 25 none
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_addr: str
    to: list[str] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0)
    ca_file: Path | None = None  # trust this CA (a private relay) instead of the system's

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class AppriseChannelSettings(_Frozen):
    type: Literal["apprise"] = "apprise"
    # One URL per channel is advised: Apprise reports one result for all URLs, so a retry after a
    # partial failure repeats the message on the URLs that had succeeded.
    urls: list[SecretStr] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0)


class WebhookChannelSettings(_Frozen):
    type: Literal["webhook"] = "webhook"
    url: str = Field(pattern=r"^https?://")
    secret: SecretStr | None = None  # signs the body: X-Monitor-Signature: sha256=<hex>
    timeout: float = Field(default=10.0, gt=0)
    headers: dict[str, str] = {}


ChannelSettings = Annotated[
    EmailChannelSettings | AppriseChannelSettings | WebhookChannelSettings,
    Field(discriminator="type"),
]


class DeliverySettings(_Frozen):
    interval_seconds: int = Field(default=30, ge=1)  # how often the delivery job runs
    max_attempts: int = Field(default=8, ge=1)  # then the alert is `failed` (and stays listed)
    backoff_base_seconds: float = Field(default=30.0, gt=0)  # doubled per attempt ...
    backoff_cap_seconds: float = Field(default=3600.0, gt=0)  # ... up to this
    jitter: float = Field(default=0.2, ge=0, le=1)  # +/- this fraction of the delay
    batch_size: int = Field(default=50, ge=1)  # instant alerts per channel per run
    # A channel stops taking new alerts after this long in one run (it always sends at least one),
    # so a slow but working channel cannot keep the run, and every other channel's next run, waiting.
    channel_budget_seconds: float = Field(default=60.0, ge=0)
    lease_seconds: int = Field(default=300, ge=1)  # a crashed sender's claim expires after this
    templates_dir: Path | None = None  # files here override the built-in templates by name
