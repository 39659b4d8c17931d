"""Alerts: plan outbox rows from matches, render them, deliver them through channels.

The public surface the app uses; everything else in this package is an implementation detail.
Names are imported on first use, so reading the settings (`monitor.config`) does not pull in
SMTP, HTTP, Apprise and Jinja.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Channel": "monitor.alerts.channels",
    "DeliveryResult": "monitor.alerts.channels",
    "RenderedAlert": "monitor.alerts.channels",
    "build_channels": "monitor.alerts.channels",
    "register_channel": "monitor.alerts.channels",
    "DeliveryReport": "monitor.alerts.deliver",
    "deliver_all_due": "monitor.alerts.deliver",
    "deliver_due": "monitor.alerts.deliver",
    "plan_alerts": "monitor.alerts.plan",
    "QuietHours": "monitor.alerts.policy",
    "StoryUpdates": "monitor.alerts.policy",
    "WatchlistDelivery": "monitor.alerts.policy",
    "Renderer": "monitor.alerts.render",
    "renderer_for": "monitor.alerts.render",
    "ChannelSettings": "monitor.alerts.settings",
    "DeliverySettings": "monitor.alerts.settings",
}
__all__ = [
    "Channel",
    "ChannelSettings",
    "DeliveryReport",
    "DeliveryResult",
    "DeliverySettings",
    "QuietHours",
    "RenderedAlert",
    "Renderer",
    "StoryUpdates",
    "WatchlistDelivery",
    "build_channels",
    "deliver_all_due",
    "deliver_due",
    "plan_alerts",
    "register_channel",
    "renderer_for",
]

if TYPE_CHECKING:
    from monitor.alerts.channels import (
        Channel,
        DeliveryResult,
        RenderedAlert,
        build_channels,
        register_channel,
    )
    from monitor.alerts.deliver import DeliveryReport, deliver_all_due, deliver_due
    from monitor.alerts.plan import plan_alerts
    from monitor.alerts.policy import QuietHours, StoryUpdates, WatchlistDelivery
    from monitor.alerts.render import Renderer, renderer_for
    from monitor.alerts.settings import ChannelSettings, DeliverySettings


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'monitor.alerts' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
