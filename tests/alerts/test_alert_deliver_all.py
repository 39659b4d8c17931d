"""`deliver_all_due`: everything due goes out in one call (`monitor once`), bounded and without resends."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from sqlalchemy import Engine

from monitor.alerts import DeliveryReport, DeliverySettings, build_channels, deliver_all_due
from monitor.alerts.channels import Channel
from monitor.alerts.ids import alert_message_id
from monitor.clock import FakeClock, SystemClock
from monitor.storage.db import create_db_engine, migrate
from tests.alerts.conftest import add_story
from tests.alerts.helpers import WATCHLISTS, email_settings, plan, rows, webhook_settings
from tests.alerts.servers import SmtpServer, WebhookReceiver
from tests.cli.process import monitor

SMALL_BATCH = DeliverySettings(batch_size=50)


def deliver_all(engine: Engine, channels: dict[str, Channel], clock: FakeClock) -> DeliveryReport:
    return deliver_all_due(engine, channels, now=clock.now(), settings=SMALL_BATCH, owner="once",
                           watchlists=WATCHLISTS)


def test_more_than_a_batch_is_delivered_in_one_call_in_order_and_once(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story_ids = [add_story(engine, f"Story number {n}") for n in range(116)]
    assert plan(engine, clock, story_ids) == 116
    report = deliver_all(engine, build_channels({"mail": email_settings(smtp)}), clock)
    assert report.sent == 116
    assert smtp.recorder.message_ids() == [alert_message_id(s, "energy", "mail", 0) for s in story_ids]
    assert deliver_all(engine, build_channels({"mail": email_settings(smtp)}), clock).sent == 0


def test_a_channel_that_keeps_failing_is_left_alone_while_another_delivers_everything(
        engine: Engine, clock: FakeClock, smtp: SmtpServer, webhook: WebhookReceiver) -> None:
    story_ids = [add_story(engine, f"Story number {n}") for n in range(120)]
    plan(engine, clock, story_ids, channels=("mail", "hook"))
    smtp.recorder.reply = "554 5.7.1 sender address rejected"  # every message refused for good
    webhook.script.extend(["200"] * 10 + ["503"] * 500)  # then down: a retry is due in 30 s, not now
    channels = build_channels({"mail": email_settings(smtp), "hook": webhook_settings(webhook)})
    report = deliver_all(engine, channels, clock)
    assert report.failed == 50  # one round of the refusing channel, then it was left for the next run
    assert report.sent == 10 and report.retrying == 1
    assert len(webhook.requests) == 11  # stopped at the first failure: order kept
    by_channel: dict[str, list[str]] = {}
    for row in rows(engine):
        by_channel.setdefault(row.channel, []).append(row.state)
    assert by_channel["mail"].count("failed") == 50 and by_channel["mail"].count("pending") == 70
    assert by_channel["hook"].count("sent") == 10 and by_channel["hook"].count("pending") == 110


def test_once_delivers_everything_due_not_one_batch(tmp_path: Path, smtp: SmtpServer) -> None:
    database = tmp_path / "monitor.db"
    engine = create_db_engine(f"sqlite:///{database}")
    migrate(engine)
    story_ids = [add_story(engine, f"Story number {n}") for n in range(116)]
    plan(engine, FakeClock(SystemClock().now()), story_ids)
    engine.dispose()
    (tmp_path / "watchlists").mkdir()
    config = tmp_path / "monitor.toml"
    config.write_text(textwrap.dedent(f"""\
        [database]
        url = "sqlite:///monitor.db"

        [delivery]
        batch_size = 50

        [channels.mail]
        type = "email"
        host = "127.0.0.1"
        port = {smtp.port}
        security = "none"
        from_addr = "monitor@example.org"
        to = ["ops@example.org"]
        """), encoding="utf-8")
    result = monitor("once", "--json", "-c", str(config))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["deliver"]["sent"] == 116 and len(smtp.recorder.messages) == 116
    assert len(set(smtp.recorder.message_ids())) == 116
