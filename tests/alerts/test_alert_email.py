"""Email delivery against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from monitor.alerts import build_channels
from monitor.alerts.ids import alert_message_id
from monitor.clock import FakeClock
from tests.alerts.conftest import add_story
from tests.alerts.helpers import email_settings, plan, rows, run
from tests.alerts.servers import SmtpServer


def test_smtp_down_three_cycles_then_every_alert_arrives_once_in_order(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story_ids = [add_story(engine, f"Pipeline burst number {n}") for n in range(3)]
    assert plan(engine, clock, story_ids) == 3
    assert plan(engine, clock, story_ids) == 0  # planning again adds nothing
    channels = build_channels({"mail": email_settings(smtp)})
    smtp.stop()
    for _ in range(3):
        report = run(engine, channels, clock)
        assert report.sent == 0 and report.retrying == 1
        assert "mail" in report.errors[0][0]
        clock.advance(timedelta(hours=2).total_seconds())
    smtp.start()
    report = run(engine, channels, clock)
    assert report.sent == 3 and report.retrying == 0
    assert run(engine, channels, clock).sent == 0
    expected = [alert_message_id(s, "energy", "mail", 0) for s in story_ids]
    assert smtp.recorder.message_ids() == expected
    subjects = [str(m["Subject"]) for m in smtp.recorder.messages]
    assert subjects == [f"[energy] Pipeline burst number {n}" for n in range(3)]
    states = rows(engine)
    assert [r.state for r in states] == ["sent"] * 3
    assert states[0].attempts == 4 and states[1].attempts == 1


def test_email_is_multipart_with_story_details(engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Dam breach floods valley",
                      [("Dammbruch flutet Tal", "de", "Tagesblatt"), ("Rupture de barrage", "fr", "Le Jour")])
    plan(engine, clock, [story])
    assert run(engine, build_channels({"mail": email_settings(smtp)}), clock).sent == 1
    message = smtp.recorder.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Dammbruch flutet Tal" in part and "Rupture de barrage" in part
        assert "de, en, fr" in part and "Le Jour" in part and "pipeline in title" in part
        assert "https://tagesblatt.example/" in part
    assert message["To"] == "ops@example.org"


def test_temporary_smtp_refusal_is_retried_and_permanent_one_fails(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Refused")
    plan(engine, clock, [story])
    channels = build_channels({"mail": email_settings(smtp)})
    smtp.recorder.reply = "451 4.3.0 mailbox busy, try later"
    report = run(engine, channels, clock)
    assert report.retrying == 1 and "451" in report.errors[0][1]
    smtp.recorder.reply = "554 5.7.1 rejected as spam"
    clock.advance(3600)
    report = run(engine, channels, clock)
    assert report.failed == 1 and "554" in report.errors[0][1]
    [row] = rows(engine)
    assert row.state == "failed" and row.attempts == 2 and "rejected as spam" in (row.last_error or "")
