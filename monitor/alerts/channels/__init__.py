"""Delivery channels behind one protocol, registered by settings `type` (email, apprise, webhook)."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.alerts.channels import chat, email, webhook  # noqa: F401  (registers the channel types)
from monitor.alerts.channels.base import (
    Channel,
    DeliveryResult,
    RenderedAlert,
    build_channel,
    channel_types,
    register_channel,
)
from monitor.alerts.settings import ChannelSettings

__all__ = ["Channel", "DeliveryResult", "RenderedAlert", "build_channels", "channel_types",
           "register_channel"]


def build_channels(channel_settings: Mapping[str, ChannelSettings]) -> dict[str, Channel]:
    """One ready channel per `[channels.NAME]` table."""
    return {name: build_channel(name, settings) for name, settings in channel_settings.items()}
