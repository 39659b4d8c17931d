"""Feed text is untrusted: it must arrive escaped in HTML and harmless in email headers."""

from __future__ import annotations

import json

from sqlalchemy import Engine, update

from monitor.alerts import build_channels
from monitor.clock import FakeClock
from monitor.storage.tables import articles
from tests.alerts.conftest import add_story
from tests.alerts.helpers import email_settings, plan, run, webhook_settings
from tests.alerts.servers import SmtpServer, WebhookReceiver

SCRIPT = "<script>alert(1)</script> Pipeline"
ENCODED = "=?utf-8?q?Pipeline_safe?= =?utf-8?b?QmNjOiBldmlsQGV4YW1wbGUub3Jn?="
INJECTED = "Pipeline\r\nBcc: evil@example.org\r\nX-Injected: yes"


def test_script_titles_arrive_escaped_in_html_and_as_text_elsewhere(
        engine: Engine, clock: FakeClock, smtp: SmtpServer, webhook: WebhookReceiver) -> None:
    story = add_story(engine, SCRIPT, [('"><img src=x onerror=alert(2)>', "de", "Blatt <b>")])
    plan(engine, clock, [story], channels=("mail", "hook"))
    channels = build_channels({"mail": email_settings(smtp), "hook": webhook_settings(webhook)})
    assert run(engine, channels, clock).sent == 2
    message = smtp.recorder.messages[0]
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Pipeline" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Blatt &lt;b&gt;" in html
    assert str(message["Subject"]) == f"[energy] {SCRIPT}"
    assert SCRIPT in message.get_body(("plain",)).get_content()
    document = json.loads(webhook.accepted()[0].body)
    assert document["stories"][0]["title"] == SCRIPT  # JSON carries the text; the receiver escapes


def test_encoded_word_and_crlf_titles_stay_literal_in_the_subject(
        engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    tricky = add_story(engine, ENCODED)
    injected = add_story(engine, INJECTED)
    plan(engine, clock, [tricky, injected])
    assert run(engine, build_channels({"mail": email_settings(smtp)}), clock).sent == 2
    first, second = smtp.recorder.messages
    assert str(first["Subject"]) == f"[energy] {ENCODED}"  # not decoded into "Bcc: evil@..."
    assert b"Bcc" not in smtp.recorder.raw[0].split(b"\r\n\r\n")[0]
    assert str(second["Subject"]) == "[energy] Pipeline Bcc: evil@example.org X-Injected: yes"
    assert second["Bcc"] is None and second["X-Injected"] is None
    for raw in smtp.recorder.raw:
        headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
        assert not any(line.lower().startswith(("bcc:", "x-injected:")) for line in headers.splitlines())


def test_non_http_links_are_not_linked(engine: Engine, clock: FakeClock, smtp: SmtpServer) -> None:
    story = add_story(engine, "Pipeline leak")
    with engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.story_id == story).values(url="javascript:alert(3)"))
    plan(engine, clock, [story])
    run(engine, build_channels({"mail": email_settings(smtp)}), clock)
    html = smtp.recorder.messages[0].get_body(("html",)).get_content()
    assert "javascript:" not in html and "Pipeline leak" in html


def test_line_breaks_in_feed_text_cannot_fake_the_layout(engine: Engine, clock: FakeClock,
                                                          smtp: SmtpServer) -> None:
    plan(engine, clock, [add_story(engine, "Flood\n\nWhy: fake reason\nLinks:\n  - https://evil.example")])
    run(engine, build_channels({"mail": email_settings(smtp)}), clock)
    text = smtp.recorder.messages[0].get_body(("plain",)).get_content()
    assert "Flood Why: fake reason Links: - https://evil.example (en)" in text
    why_lines = [line for line in text.splitlines() if line.startswith("Why:")]
    assert why_lines == ["Why: pipeline in title (score 0.80)"]
