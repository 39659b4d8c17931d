"""Chat services through Apprise URLs (Slack, Telegram, Discord, Matrix, Teams, ntfy, json://...).

The URLs carry tokens, so they are secrets: Apprise's warnings for the call become the error
message, with every token-like piece of the configured URLs masked out of them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.alerts.channels.base import DeliveryResult, RenderedAlert, register_channel
from monitor.alerts.settings import AppriseChannelSettings
from monitor.errors import ConfigError, DeliveryError

_PIECES = re.compile(r"[/:@?&=#]+")


@register_channel("apprise")
class AppriseChannel:
    def __init__(self, name: str, settings: AppriseChannelSettings) -> None:
        self.name, self.settings = name, settings
        import apprise  # a second of start-up and 20 MB: only where an apprise channel is configured

        self._urls = [u.get_secret_value() for u in settings.urls]
        self._html = apprise.NotifyFormat.HTML
        self._apprise = apprise.Apprise()
        for index, url in enumerate(self._urls):
            if not self._apprise.add(with_timeouts(url, settings.timeout)):
                raise ConfigError("not a URL Apprise understands", key=f"channels.{name}.urls[{index}]")

    def send(self, alert: RenderedAlert) -> DeliveryResult:
        result = self._apprise.notify(body=alert.html, title=alert.subject,
                                      body_format=self._html)
        if not result:
            raise DeliveryError(self.name, self.mask(_reason(result)))
        return DeliveryResult(self.name, alert.message_id, f"delivered to {len(self._urls)} service(s)")

    def mask(self, text: str) -> str:
        """Hide anything of the configured URLs that could be a token."""
        for url in self._urls:
            for piece in sorted(_PIECES.split(url), key=len, reverse=True):
                if len(piece) >= 6 and "." not in piece:
                    text = text.replace(piece, "***")
        return text

    def close(self) -> None:
        self._apprise.clear()


def _reason(result: object) -> str:
    """The warnings Apprise recorded for this call (Apprise 2 keeps them per call, so parallel
    channels do not mix their messages); older Apprise only says that it failed."""
    logs = getattr(result, "logs", None)
    if logs is None:
        return "not delivered"
    lines = [entry.message for entry in logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    return " | ".join(lines)[-500:] or "not delivered"


def with_timeouts(url: str, timeout: float) -> str:
    """Add Apprise's connect/read timeout URL parameters unless the user set their own."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("cto", f"{timeout:g}")
    query.setdefault("rto", f"{timeout:g}")
    return urlunsplit(parts._replace(query=urlencode(query)))
