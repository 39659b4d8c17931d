"""Channel and delivery settings: a discriminated union, strict, frozen, secrets kept secret."""

from __future__ import annotations

import logging

import pytest
from pydantic import TypeAdapter, ValidationError

from monitor.alerts import ChannelSettings, DeliverySettings, WatchlistDelivery
from monitor.alerts.channels import build_channels, channel_types
from monitor.alerts.settings import AppriseChannelSettings, EmailChannelSettings, WebhookChannelSettings

CHANNEL = TypeAdapter(ChannelSettings)


def test_the_type_key_picks_the_channel_settings() -> None:
    email = CHANNEL.validate_python({"type": "email", "host": "smtp.example.org", "security": "tls",
                                     "username": "u", "password": "hunter2-pw", "from_addr": "a@example.org",
                                     "to": ["b@example.org"]})
    assert isinstance(email, EmailChannelSettings) and email.effective_port == 465
    hook = CHANNEL.validate_python({"type": "webhook", "url": "https://hooks.example/x", "secret": "k"})
    assert isinstance(hook, WebhookChannelSettings) and hook.timeout == 10
    chat = CHANNEL.validate_python({"type": "apprise", "urls": ["tgram://123:abc/456"]})
    assert isinstance(chat, AppriseChannelSettings)
    assert set(channel_types()) == {"email", "apprise", "webhook"}


@pytest.mark.parametrize("raw", [
    {"type": "pigeon", "url": "x"},
    {"type": "email", "host": "h", "from_addr": "a@b", "to": ["c@d"], "hots": "typo"},
    {"type": "email", "host": "h", "from_addr": "a@b", "to": []},
    {"type": "email", "host": "h", "from_addr": "a@b", "to": ["c@d"], "security": "ssl"},
    {"type": "webhook", "url": "ftp://example.org/hook"},
    {"type": "apprise", "urls": []},
])
def test_bad_channel_settings_are_refused(raw: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError):
        CHANNEL.validate_python(raw)


def test_secrets_never_show(caplog: pytest.LogCaptureFixture) -> None:
    email = EmailChannelSettings(host="h", from_addr="a@b", to=["c@d"], password="hunter2-pw")  # type: ignore[arg-type]
    hook = WebhookChannelSettings(url="https://x.example/h", secret="whsec-123")  # type: ignore[arg-type]
    chat = AppriseChannelSettings(urls=["slack://T000/B000/tokentoken"])  # type: ignore[list-item]
    for settings in (email, hook, chat):
        logging.getLogger("test").warning("settings %r %s", settings, settings)
        dumped = settings.model_dump_json()
        for secret in ("hunter2-pw", "whsec-123", "tokentoken"):
            assert secret not in dumped and secret not in repr(settings)
    assert not any(s in caplog.text for s in ("hunter2-pw", "whsec-123", "tokentoken"))
    with pytest.raises(ValidationError):
        email.host = "other"  # type: ignore[misc]


def test_delivery_defaults() -> None:
    settings = DeliverySettings()
    backoff = (settings.max_attempts, settings.backoff_base_seconds, settings.backoff_cap_seconds)
    assert backoff == (8, 30, 3600)
    with pytest.raises(ValidationError):
        DeliverySettings(max_attempt=3)  # type: ignore[call-arg]


def test_build_channels_names_each_channel() -> None:
    channels = build_channels({"ops": EmailChannelSettings(host="h", from_addr="a@b", to=["c@d"]),
                               "hook": WebhookChannelSettings(url="https://x.example/h")})
    assert {name: ch.name for name, ch in channels.items()} == {"ops": "ops", "hook": "hook"}
    for channel in channels.values():
        channel.close()


@pytest.mark.parametrize("raw", [
    {"timezone": "Mars/Olympus"},
    {"timezone": "../etc/passwd"},
    {"digest_cron": "every morning"},
    {"digest_cron": "61 8 * * *"},
    {"quiet_hours": {"start": "25:00", "end": "07:00"}},
    {"quiet_hours": {"start": "22:00", "end": "7:00"}},
])
def test_bad_watchlist_delivery_policies_are_refused_at_load_time(raw: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError):
        WatchlistDelivery.model_validate(raw)
    assert WatchlistDelivery.model_validate({"timezone": "Asia/Kolkata", "digest_cron": "30 7 * * 1-5"})
