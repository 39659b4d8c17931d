"""Webhook delivery against a real HTTP receiver on 127.0.0.1: retries, signature, isolation."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

from sqlalchemy import Engine

from monitor.alerts import DeliverySettings, build_channels
from monitor.alerts.ids import alert_message_id
from monitor.clock import FakeClock
from tests.alerts.conftest import add_story
from tests.alerts.helpers import SECRET, email_settings, plan, rows, run, webhook_settings
from tests.alerts.servers import SmtpServer, WebhookReceiver, valid_signature


def test_500_then_timeout_then_200_delivers_once_with_a_valid_signature(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    story = add_story(engine, "Refinery fire", [("Incendie de raffinerie", "fr", "Le Jour")])
    plan(engine, clock, [story], channels=("hook",))
    channels = build_channels({"hook": webhook_settings(webhook, timeout=0.5)})
    webhook.script.extend(["500", "hang"])
    first = run(engine, channels, clock)
    assert first.retrying == 1 and "HTTP 500" in first.errors[0][1]
    clock.advance(3600)
    second = run(engine, channels, clock)
    assert second.retrying == 1 and "timed out" in second.errors[0][1]
    clock.advance(3600)
    assert run(engine, channels, clock).sent == 1
    clock.advance(3600)
    assert run(engine, channels, clock).sent == 0
    message_id = alert_message_id(story, "energy", "hook", 0)
    accepted = webhook.accepted()
    assert len(accepted) == 1
    assert all(valid_signature(r, SECRET) for r in webhook.requests)
    assert {r.headers["Idempotency-Key"] for r in webhook.requests} == {message_id}
    document = json.loads(accepted[0].body)
    assert document["id"] == message_id and document["kind"] == "alert"
    assert document["stories"][0]["title"] == "Refinery fire"
    assert document["stories"][0]["headlines"][0]["title"] == "Incendie de raffinerie"
    assert document["stories"][0]["why"] == "pipeline in title"
    assert not valid_signature(accepted[0].__class__(accepted[0].path, accepted[0].headers,
                                                     accepted[0].body + b" ", 200), SECRET)


def test_a_rejected_request_fails_at_once(engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, "Strike at port")], channels=("hook",))
    webhook.script.append("400")
    report = run(engine, build_channels({"hook": webhook_settings(webhook)}), clock)
    assert report.failed == 1 and report.retrying == 0
    [row] = rows(engine)
    assert row.state == "failed" and "HTTP 400" in (row.last_error or "")


def test_a_permanently_failing_channel_ends_failed_while_email_delivers_on_time(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver, smtp: SmtpServer) -> None:
    settings = DeliverySettings(max_attempts=3)
    channels = build_channels({"hook": webhook_settings(webhook), "mail": email_settings(smtp)})
    webhook.script.extend(["503"] * 10)
    first = add_story(engine, "Grid outage in the north")
    plan(engine, clock, [first], channels=("hook", "mail"))
    assert run(engine, channels, clock, settings=settings).sent == 1  # the email, at once
    assert len(smtp.recorder.messages) == 1
    for _ in range(2):
        clock.advance(3600)
        second = add_story(engine, f"Grid outage update {clock.now():%H}")
        plan(engine, clock, [second], channels=("mail",))
        run(engine, channels, clock, settings=settings)
    assert len(smtp.recorder.messages) == 3  # one per cycle, none held back by the broken webhook
    hook_rows = [r for r in rows(engine) if r.channel == "hook"]
    assert [(r.state, r.attempts) for r in hook_rows] == [("failed", 3)]
    assert "HTTP 503" in (hook_rows[0].last_error or "")
    assert len(webhook.requests) == 3 and not webhook.accepted()


def test_a_retry_after_hint_is_honoured(engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, "Throttled")], channels=("hook",))
    webhook.script.append("429+900")
    channels = build_channels({"hook": webhook_settings(webhook)})
    assert run(engine, channels, clock).retrying == 1
    [row] = rows(engine)
    assert (row.next_attempt_at - clock.now()).total_seconds() == 900  # not the 30 s backoff
    clock.advance(600)
    assert run(engine, channels, clock).sent == 0
    clock.advance(300)
    assert run(engine, channels, clock).sent == 1


def test_a_retry_after_date_is_honoured(engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, "Throttled until a date")], channels=("hook",))
    # 120 s ahead of the receiver's Date header (its real clock, which the fake clock is far from);
    # one second more because the Date it sends may already be in the next second.
    webhook.script.append("503+" + formatdate(int(time.time()) + 121, usegmt=True))
    channels = build_channels({"hook": webhook_settings(webhook)})
    assert run(engine, channels, clock).retrying == 1
    [row] = rows(engine)
    wait = (row.next_attempt_at - clock.now()).total_seconds()
    assert 120 <= wait <= 121  # not the 30 s backoff
    clock.advance(119)
    assert run(engine, channels, clock).sent == 0
    clock.advance(wait - 119)
    assert run(engine, channels, clock).sent == 1
    assert [r.status for r in webhook.requests] == [503, 200]
