"""The channel protocol, the values it exchanges and the registry of channel types.

A channel type is a small class registered under its settings' `type`; `build_channels` turns the
`[channels.NAME]` tables into ready channels. No if-chains over providers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from monitor.errors import ConfigError


@dataclass(frozen=True)
class RenderedAlert:
    """One message ready to send: an instant alert, a story update or a digest."""

    message_id: str  # stable across resends: "<...@news-monitor>"
    subject: str  # one line, already free of control characters
    text: str
    html: str
    payload: Mapping[str, Any]  # the JSON document webhooks receive (its "id" is message_id)
    in_reply_to: str | None = None  # updates thread under the first alert
    references: tuple[str, ...] = ()
    date: datetime | None = None  # the Date header; the delivery run's clock time


def flat_line(text: str, limit: int = 200) -> str:
    """One printable line: CR, LF and other control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]


@dataclass(frozen=True)
class DeliveryResult:
    channel: str
    message_id: str
    detail: str = ""  # the server's answer, e.g. "250 OK queued" or "HTTP 200"


class Channel(Protocol):
    name: str

    def send(self, alert: RenderedAlert) -> DeliveryResult:
        """Deliver or raise DeliveryError(channel, reason, retryable=...)."""
        ...

    def close(self) -> None: ...


ChannelFactory = Callable[[str, Any], Channel]
_REGISTRY: dict[str, ChannelFactory] = {}


def register_channel(type_name: str) -> Callable[[ChannelFactory], ChannelFactory]:
    """Class decorator: make a channel type available under its settings' `type`."""

    def decorate(factory: ChannelFactory) -> ChannelFactory:
        _REGISTRY[type_name] = factory
        return factory

    return decorate


def channel_types() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def build_channel(name: str, settings: Any) -> Channel:
    factory = _REGISTRY.get(settings.type)
    if factory is None:
        raise ConfigError(f"unknown channel type {settings.type!r}", key=f"channels.{name}.type")
    return factory(name, settings)
