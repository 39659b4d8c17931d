"""The delivery job's guarantees: leases, concurrent senders, isolated channels, templates."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event

from monitor.alerts import DeliverySettings, WatchlistDelivery, build_channels, deliver_due
from monitor.alerts.ids import alert_message_id
from monitor.clock import FakeClock
from monitor.models import AlertPayload
from monitor.storage import outbox
from tests.alerts.conftest import add_story
from tests.alerts.helpers import WATCHLISTS, email_settings, plan, rows, run, webhook_settings
from tests.alerts.servers import SmtpServer, WebhookReceiver


def test_two_senders_at_once_send_every_alert_exactly_once(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    story_ids = [add_story(engine, f"Story {n}") for n in range(30)]
    plan(engine, clock, story_ids, channels=("hook",))
    channels = build_channels({"hook": webhook_settings(webhook)})
    settings = DeliverySettings(batch_size=4)

    def sender(owner: str) -> None:
        while deliver_due(engine, channels, now=clock.now(), settings=settings, owner=owner,
                          watchlists=WATCHLISTS).sent:
            pass

    threads = [threading.Thread(target=sender, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [r.headers["Idempotency-Key"] for r in webhook.accepted()]
    assert sorted(keys) == sorted(alert_message_id(s, "energy", "hook", 0) for s in story_ids)
    assert {r.state for r in rows(engine)} == {"sent"}


def test_a_row_left_sending_by_a_dead_sender_is_resent_after_its_lease_with_the_same_id(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Lease test")
    plan(engine, clock, [story])
    with engine.begin() as conn:  # a sender claims it and dies before recording anything
        [claimed] = outbox.claim(conn, "mail", kind="instant", now=clock.now(), owner="dead",
                                 lease_until=clock.now() + timedelta(seconds=300), limit=1)
    channels = build_channels({"mail": email_settings(smtp)})
    assert run(engine, channels, clock).sent == 0  # still leased: nobody else touches it
    clock.advance(301)
    assert run(engine, channels, clock).sent == 1
    assert smtp.recorder.message_ids() == [claimed.message_id]
    [row] = rows(engine)
    assert row.state == "sent" and row.lease_owner is None


def test_a_slow_channel_does_not_hold_back_another(
        engine: Engine, clock: FakeClock, smtp: SmtpServer, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, "Slow hook")], channels=("hook", "mail"))
    webhook.delay = 8  # the webhook answers only once the email has arrived (or after 8 s)
    smtp.recorder.on_message = webhook.release.set
    channels = build_channels({"hook": webhook_settings(webhook, timeout=20), "mail": email_settings(smtp)})
    assert run(engine, channels, clock).sent == 2
    [request] = webhook.accepted()
    assert request.released  # the email went out while the webhook was still busy


def test_user_templates_override_the_builtin_ones_and_stay_escaped(
        engine: Engine, clock: FakeClock, smtp: SmtpServer, tmp_path: Path) -> None:
    subject = "ALERT {{ stories[0].title }} ({{ watchlist }})"
    (tmp_path / "subject.txt.j2").write_text(subject, encoding="utf-8")
    (tmp_path / "alert.html.j2").write_text("<b>{{ story.title }}</b> {{ story.why }}", encoding="utf-8")
    plan(engine, clock, [add_story(engine, "<script>x</script> Flood")])
    settings = DeliverySettings(templates_dir=tmp_path)
    assert run(engine, build_channels({"mail": email_settings(smtp)}), clock, settings=settings).sent == 1
    [message] = smtp.recorder.messages
    assert str(message["Subject"]) == "ALERT <script>x</script> Flood (energy)"
    html = message.get_body(("html",)).get_content()
    assert html.strip() == "<b>&lt;script&gt;x&lt;/script&gt; Flood</b> pipeline in title"
    assert "Languages: en" in message.get_body(("plain",)).get_content()  # the built-in text part


def test_the_webhook_document_is_stable_across_resends(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, "Stable body")], channels=("hook",))
    webhook.script.append("502")
    channels = build_channels({"hook": webhook_settings(webhook)})
    run(engine, channels, clock)
    clock.advance(3600)
    run(engine, channels, clock)
    first, second = (json.loads(r.body) for r in webhook.requests)
    assert first == second and first["id"] == second["id"]


def test_the_channel_budget_bounds_a_run_but_always_sends_one(
        engine: Engine, clock: FakeClock, webhook: WebhookReceiver) -> None:
    plan(engine, clock, [add_story(engine, f"Budget {n}") for n in range(3)], channels=("hook",))
    channels = build_channels({"hook": webhook_settings(webhook)})
    settings = DeliverySettings(channel_budget_seconds=0)
    assert [run(engine, channels, clock, settings=settings).sent for _ in range(4)] == [1, 1, 1, 0]


def test_mark_sent_records_only_the_owners_rows_and_what_they_showed_in_two_statements(
        engine: Engine, clock: FakeClock) -> None:
    plan(engine, clock, [add_story(engine, f"Digest story {n}") for n in range(51)],
         policy=WatchlistDelivery(mode="digest"))
    clock.advance(20 * 3600)  # past the 08:00 digest
    with engine.begin() as conn:
        claimed = outbox.claim(conn, "mail", kind="digest", now=clock.now(), owner="me",
                               lease_until=clock.now() + timedelta(seconds=300), limit=50)
    everything = [r.id for r in rows(engine)]
    shown = {row_id: AlertPayload(why="shown", languages=("en",), sources=(f"Wire {row_id}",))
             for row_id in everything}
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.begin() as conn:
        outbox.mark_sent(conn, everything, "me", clock.now(), payloads=shown)
    assert len([s for s in statements if "outbox" in s]) == 2
    by_id = {r.id: r for r in rows(engine)}
    assert all(by_id[r.id].state == "sent" and by_id[r.id].payload == shown[r.id] for r in claimed)
    [left] = set(everything) - {r.id for r in claimed}  # not claimed by "me": untouched
    assert by_id[left].state == "pending" and by_id[left].payload.why == "pipeline in title"
