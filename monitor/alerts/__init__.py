"""Alerts: plan outbox rows from matches, render them, deliver them through channels.

The public surface the app uses; everything else in this package is an implementation detail.
"""

from monitor.alerts.channels import Channel, DeliveryResult, RenderedAlert, build_channels, register_channel
from monitor.alerts.deliver import DeliveryReport, deliver_due
from monitor.alerts.plan import plan_alerts
from monitor.alerts.policy import QuietHours, StoryUpdates, WatchlistDelivery
from monitor.alerts.render import Renderer
from monitor.alerts.settings import ChannelSettings, DeliverySettings

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
    "deliver_due",
    "plan_alerts",
    "register_channel",
]
