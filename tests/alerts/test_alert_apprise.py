"""Apprise channel through its json:// service against a local HTTP receiver."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from monitor.alerts.channels import RenderedAlert, build_channels
from monitor.alerts.settings import AppriseChannelSettings
from monitor.errors import ConfigError, DeliveryError
from tests.alerts.servers import WebhookReceiver

ALERT = RenderedAlert(message_id="<story-1.w.c.0@news-monitor>", subject="[w] Flood <warning>",
                      text="text body", html="<p>html &lt;body&gt;</p>", payload={"id": "x"})


def apprise_channel(webhook: WebhookReceiver, token: str = "tok3n-abcdef"):  # type: ignore[no-untyped-def]
    url = webhook.url.replace("http://", "json://") + f"/{token}"
    return build_channels({"chat": AppriseChannelSettings(urls=[SecretStr(url)], timeout=2)})["chat"]


def test_apprise_delivers_title_and_body(webhook: WebhookReceiver) -> None:
    result = apprise_channel(webhook).send(ALERT)
    assert result.channel == "chat"
    [request] = webhook.accepted()
    document = json.loads(request.body)
    assert document["title"] == "[w] Flood <warning>"
    assert "html &lt;body&gt;" in document["message"]


def test_apprise_failure_is_retryable_and_hides_the_token(webhook: WebhookReceiver) -> None:
    webhook.script.append("500")
    channel = apprise_channel(webhook, token="very-secret-token-123")
    with pytest.raises(DeliveryError) as caught:
        channel.send(ALERT)
    assert caught.value.retryable and caught.value.channel == "chat" and "500" in caught.value.reason
    assert "very-secret-token-123" not in str(caught.value)


def test_an_unknown_apprise_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"channels\.chat\.urls\[0\]"):
        build_channels({"chat": AppriseChannelSettings(urls=[SecretStr("nosuchservice://x")])})
