"""SIGKILL a real delivery process at random points, 20 times: nothing lost, resends keep their id."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
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
STORIES = 300
KILLS = 20


def start_parent(engine: Engine, smtp: SmtpServer, webhook: WebhookReceiver) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.alerts.delivery_loop", url, str(smtp.port), webhook.url],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)


def kill_a_sender(parent: subprocess.Popen[str], delivering: threading.Event, after: float) -> str:
    """Start a sender, SIGKILL it `after` seconds into its delivery; returns how it ended."""
    assert parent.stdin is not None and parent.stdout is not None
    delivering.clear()
    parent.stdin.write("start\n")
    parent.stdin.flush()
    ready, pid = parent.stdout.readline().split()
    assert ready == "ready"
    delivering.wait(10)  # its first email has arrived (however loaded the machine is) ...
    time.sleep(after)  # ... then a random point of the delivery, not a wait for a retry
    os.kill(int(pid), signal.SIGKILL)
    return parent.stdout.readline().strip()


@pytest.mark.slow
def test_sigkill_during_delivery_loses_nothing_and_resends_keep_their_ids(
        sqlite_engine: Engine, smtp: SmtpServer, webhook: WebhookReceiver) -> None:
    engine = sqlite_engine
    now = SystemClock().now() - timedelta(minutes=1)
    clock = FakeClock(now)
    story_ids = [add_story(engine, f"Story {n}", first_seen=now) for n in range(STORIES)]
    plan(engine, clock, story_ids, channels=("mail", "hook"))
    smtp.recorder.delay = webhook.delay = 0.02  # slow enough that kills land mid-delivery
    chance, mid_delivery, delivering = random.Random(2026), 0, threading.Event()
    smtp.recorder.on_message = delivering.set
    parent = start_parent(engine, smtp, webhook)
    try:
        for _ in range(KILLS):
            how = kill_a_sender(parent, delivering, chance.uniform(0, 0.25))
            assert how == f"exit {signal.SIGKILL.value}"
            mid_delivery += any(r.state != "sent" for r in rows(engine))
    finally:
        parent.kill()
        parent.wait()
    assert mid_delivery >= KILLS // 2  # most kills interrupted a delivery in progress
    assert any(r.state == "sent" for r in rows(engine))
    # Restart (in process, an hour on, so every lease has expired) and finish, at full speed.
    smtp.recorder.delay = webhook.delay = 0
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
