"""Generic JSON webhook.

POST body (UTF-8 JSON, see `monitor.alerts.render.payload` for the full document):
    {"id": "<story-12.energy.ops.0@news-monitor>",   stable: the same on every resend
     "kind": "alert" | "update" | "digest", "watchlist": ..., "channel": ..., "subject": ...,
     "in_reply_to": null | "<first alert id>", "stories": [{"id", "title", "language", "first_seen",
     "languages", "sources", "headlines": [{"language", "title", "url", "source"}], "why", "score"}]}
Headers: `Idempotency-Key: <id>` and, when the channel has a secret,
`X-Monitor-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed with the secret>`.
2xx is success; 408, 425, 429 and 5xx, timeouts and connection errors are retried (not before a
Retry-After, in seconds or as an HTTP date read against the response's own Date, so clock skew does
not matter); other answers fail at once (the receiver rejects the request itself, so repeating it
cannot help).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx

from monitor.alerts.channels.base import DeliveryResult, RenderedAlert, register_channel
from monitor.alerts.settings import WebhookChannelSettings
from monitor.errors import DeliveryError
from monitor.net.headers import retry_after_seconds

_RETRYABLE = {408, 425, 429}
USER_AGENT = "news-monitor-webhook/1"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@register_channel("webhook")
class WebhookChannel:
    def __init__(self, name: str, settings: WebhookChannelSettings) -> None:
        self.name, self.settings = name, settings
        self._client = httpx.Client(timeout=settings.timeout, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})

    def send(self, alert: RenderedAlert) -> DeliveryResult:
        body = json.dumps(dict(alert.payload), ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {**self.settings.headers, "Content-Type": "application/json",
                   "Idempotency-Key": alert.message_id}
        if self.settings.secret is not None:
            headers["X-Monitor-Signature"] = sign(body, self.settings.secret.get_secret_value())
        try:
            response = self._client.post(self.settings.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(self.name, f"timed out after {self.settings.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(self.name, f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        answer = f"HTTP {status} {response.text[:200]}".strip()
        if 200 <= status < 300:
            return DeliveryResult(self.name, alert.message_id, answer)
        raise DeliveryError(self.name, answer, retryable=status in _RETRYABLE or status >= 500,
                            # the local clock only matters when the response has no Date header
                            retry_after=retry_after_seconds(response.headers, datetime.now(UTC)))

    def close(self) -> None:
        self._client.close()
