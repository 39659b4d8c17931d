"""`[web]`: where the console, the JSON API, /healthz and /metrics listen, and who may change things.

`[service] metrics_host` / `metrics_port` are deprecated aliases of `host` / `port`, kept so that an
existing config (and its Prometheus scrape) keeps working at the same place.
"""

from __future__ import annotations

import ipaddress
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor.service.settings import ServiceSettings

MIN_TOKEN_LENGTH = 16


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    host: str = "127.0.0.1"  # loopback by default; any other address needs a token
    port: int = Field(default=9464, ge=0, le=65535)  # 0: a free port (tests)
    # Needed for every state change (forms and API); write `token = "${MONITOR_WEB_TOKEN}"`.
    token: SecretStr | None = None
    timezone: str = "UTC"  # times are shown relative and in this zone
    page_size: int = Field(default=50, ge=1, le=500)
    # Host headers accepted besides the address itself (a proxy's name); loopback names always are.
    allowed_hosts: tuple[str, ...] = ()

    @field_validator("token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise ValueError(f"the token must be at least {MIN_TOKEN_LENGTH} characters "
                             "(for example: python -c 'import secrets; print(secrets.token_urlsafe(24))')")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name, like 'Europe/Paris')") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token is not None else None

    @property
    def on_loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def with_deprecated_aliases(web: WebSettings, service: ServiceSettings) -> WebSettings:
    """`[service] metrics_host/metrics_port` stand in for `[web] host/port` when those are not set."""
    update: dict[str, object] = {}
    if service.metrics_host is not None and "host" not in web.model_fields_set:
        update["host"] = service.metrics_host
    if service.metrics_port is not None and "port" not in web.model_fields_set:
        update["port"] = service.metrics_port
    return web.model_copy(update=update) if update else web
