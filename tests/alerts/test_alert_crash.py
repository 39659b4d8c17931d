"""SIGKILL a real delivery process at random points, 20 times: nothing lost, resends keep their id."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.alerts import DeliverySettings, build_channels
from monitor.alerts.ids import alert_message_id
from monitor.clock import FakeClock, SystemClock
from tests.alerts.conftest import add_story
from tests.alerts.helpers import SECRET, email_settings, plan, rows, run, webhook_settings
from tests.alerts.servers import SmtpServer, WebhookReceiver, valid_signature

ROOT = Path(__file__).resolve().parents[2]
STORIES = 150
KILLS = 20


def start_loop(engine: Engine, smtp: SmtpServer, webhook: WebhookReceiver) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.alerts.delivery_loop", str(engine.url), str(smtp.port), webhook.url],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
def test_sigkill_during_delivery_loses_nothing_and_resends_keep_their_ids(
        sqlite_engine: Engine, smtp: SmtpServer, webhook: WebhookReceiver) -> None:
    engine = sqlite_engine
    now = SystemClock().now() - timedelta(minutes=1)
    clock = FakeClock(now)
    story_ids = [add_story(engine, f"Story {n}", first_seen=now) for n in range(STORIES)]
    plan(engine, clock, story_ids, channels=("mail", "hook"))
    smtp.recorder.delay = webhook.delay = 0.01  # slow enough that kills land mid-delivery
    chance = random.Random(2026)
    for _ in range(KILLS):
        process = start_loop(engine, smtp, webhook)
        try:
            process.wait(timeout=chance.uniform(0.05, 0.3))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL  # it was still running: killed, not crashed
    sent_before_restart = len({r.id for r in rows(engine) if r.state == "sent"})
    assert 0 < sent_before_restart < 2 * STORIES  # the kills really interrupted the delivery
    # Restart (in process, an hour on, so every lease has expired) and finish.
    channels = build_channels({"mail": email_settings(smtp), "hook": webhook_settings(webhook)})
    clock.advance(3600)
    while run(engine, channels, clock, settings=DeliverySettings(batch_size=500)).sent:
        pass
    assert {r.state for r in rows(engine)} == {"sent"}

    expected_mail = {alert_message_id(s, "energy", "mail", 0) for s in story_ids}
    expected_hook = {alert_message_id(s, "energy", "hook", 0) for s in story_ids}
    mail_ids = Counter(smtp.recorder.message_ids())
    hooks = webhook.accepted()
    hook_ids = Counter(r.headers["Idempotency-Key"] for r in hooks)
    assert set(mail_ids) == expected_mail and set(hook_ids) == expected_hook  # none lost, none foreign
    assert all(json.loads(r.body)["id"] == r.headers["Idempotency-Key"] and valid_signature(r, SECRET)
               for r in hooks)
    # A resend only happens for the one message in flight on each channel when the process died.
    assert sum(mail_ids.values()) - len(mail_ids) <= KILLS
    assert sum(hook_ids.values()) - len(hook_ids) <= KILLS
