"""What keeps the console safe: escaping and CSP, the token, CSRF on forms, other origins and hosts
refused, and no listening beyond loopback without a token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from monitor.errors import ConfigError
from monitor.storage.outbox import list_alerts
from monitor.web.guard import CONTENT_SECURITY_POLICY
from monitor.web.server import start_web_server
from tests.web.conftest import (
    TOKEN,
    Seeded,
    console_settings,
    make_article,
    make_context,
    seed,
    store_article,
)

EVIL = "http://evil.example"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


@contextmanager
def signed_in(seeded: Seeded) -> Iterator[httpx.Client]:
    with seeded.client(follow_redirects=False) as client:
        answer = client.post("/login", data={"token": TOKEN, "next": "/alerts"})
        assert answer.status_code == 303 and answer.headers["location"] == "/alerts"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        yield client


def test_pages_send_a_strict_csp_and_escape_what_feeds_wrote(seeded: Seeded) -> None:
    hostile = make_article("<script>alert(1)</script>", "en", "wire-en", "hostile",
                           '<img src=x onerror="alert(2)"> text')
    with seeded.context.engine.begin() as conn:
        story = store_article(conn, hostile, None, 1, "new", 1.0)
    with seeded.client() as client:
        page = client.get("/stories")
        story_page = client.get(f"/stories/{story}")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/htmx.min.js" defer>']
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in story_page.text and "<img" not in story_page.text


def test_links_from_feeds_are_followed_only_when_they_are_http(seeded: Seeded) -> None:
    from monitor.models import Article

    sneaky = Article(url="javascript:alert(1)", canonical_url="javascript:alert(1)", title="Click me",
                     text="x", language="en", published=None, source="wire-en")
    with seeded.context.engine.begin() as conn:
        story = store_article(conn, sneaky, None, 1, "new", 1.0)
    with seeded.client() as client:
        page = client.get(f"/stories/{story}").text
        other = client.get(f"/stories/{seeded.baghouz}").text
    assert "Click me" in page and "javascript:" not in page
    assert 'href="http://127.0.0.1:9/en-baghouz" rel="noopener noreferrer nofollow"' in other


def test_a_request_from_another_origin_is_refused_whatever_it_carries(seeded: Seeded) -> None:
    with seeded.authed() as authed:
        read = authed.get("/api/v1/stories", headers={"Origin": EVIL})
        change = authed.post(f"/api/v1/alerts/{seeded.failed_alert}/retry", headers={"Origin": EVIL})
        by_referer = authed.post(f"/api/v1/alerts/{seeded.failed_alert}/retry",
                                 headers={"Referer": f"{EVIL}/page"})
        by_fetch_metadata = authed.post(f"/api/v1/alerts/{seeded.failed_alert}/retry",
                                        headers={"Sec-Fetch-Site": "cross-site"})
        same_origin = authed.get("/api/v1/stories", headers={"Origin": seeded.base})
    for refused in (read, change, by_referer, by_fetch_metadata):
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"error": "request from another origin refused"}
    assert same_origin.status_code == 200
    with seeded.context.engine.connect() as conn:
        assert {r.id: r.state for r in list_alerts(conn)}[seeded.failed_alert] == "failed"


def test_an_unknown_host_header_is_refused_on_loopback(seeded: Seeded) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 must not read the console."""
    with seeded.client() as client:
        answer = client.get("/api/v1/stories", headers={"Host": "evil.example"})
        localhost = client.get("/api/v1/stories", headers={"Host": f"localhost:{seeded.server.address[1]}"})  # type: ignore[index]
    assert answer.status_code == 400 and "Host" in answer.json()["error"]
    assert localhost.status_code == 200


def test_forms_need_a_session_and_its_csrf_token(seeded: Seeded) -> None:
    with seeded.client() as anonymous:
        refused = anonymous.post("/alerts/retry", data={"id": str(seeded.failed_alert)})
        wrong = anonymous.post("/login", data={"token": "not-the-token-0000000000"})
    assert refused.status_code == 403 and "sign in" in refused.text
    assert wrong.status_code == 403 and "not the console&#39;s token" in wrong.text
    with signed_in(seeded) as client:
        page = client.get("/alerts")
        csrf = _csrf(page.text)
        missing = client.post("/alerts/retry", data={"id": str(seeded.failed_alert)})
        forged = client.post("/alerts/retry", data={"id": str(seeded.failed_alert), "csrf": "0" * 64})
        assert missing.status_code == 403 and forged.status_code == 403 and "CSRF" in forged.text
        done = client.post("/alerts/retry", data={"id": str(seeded.failed_alert), "csrf": csrf},
                           headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert 'data-state="pending"' in done.text and "queued again" in done.text
    with seeded.context.engine.connect() as conn:
        assert {r.id: r.state for r in list_alerts(conn)}[seeded.failed_alert] == "pending"


def test_another_console_token_does_not_sign_in_here(seeded: Seeded, tmp_path: Path) -> None:
    """The session cookie is signed with the token: a cookie from a console with another token fails."""
    other = make_context(console_settings(tmp_path / "other", token="another-console-token-9876543210"))
    server = start_web_server(other)
    try:
        with httpx.Client(base_url=str(server.url), trust_env=False, follow_redirects=False) as client:
            client.post("/login", data={"token": "another-console-token-9876543210"})
            cookie = client.cookies["monitor_session"]
        with seeded.client(cookies={"monitor_session": cookie}) as client:
            answer = client.post("/alerts/retry", data={"id": str(seeded.failed_alert), "csrf": "x"})
        assert answer.status_code == 403 and "sign in" in answer.text
    finally:
        server.close()
        other.engine.dispose()


def test_without_a_token_nothing_changes(tmp_path: Path) -> None:
    context = make_context(console_settings(tmp_path, token=None))
    _, _, failed, _ = seed(context)
    server = start_web_server(context)
    try:
        with httpx.Client(base_url=str(server.url), trust_env=False) as client:
            api = client.post(f"/api/v1/alerts/{failed}/retry", headers={"Authorization": "Bearer anything"})
            login = client.post("/login", data={"token": "anything"})
            page = client.get("/alerts")
    finally:
        server.close()
    assert api.status_code == 403 and "[web] token" in api.json()["error"]
    assert login.status_code == 403
    assert page.status_code == 200 and "read-only" in page.text


def test_the_server_will_not_listen_on_all_interfaces_without_a_token(tmp_path: Path) -> None:
    context = make_context(console_settings(tmp_path, token=None, host="0.0.0.0"))
    with pytest.raises(ConfigError, match=r"refusing to listen on 0\.0\.0\.0, .* without a token"):
        start_web_server(context)
    with pytest.raises(ConfigError, match="not a loopback address"):
        start_web_server(make_context(console_settings(tmp_path / "v6", token=None, host="::")))


def test_off_loopback_every_page_needs_the_token_but_the_scrape(tmp_path: Path) -> None:
    context = make_context(console_settings(tmp_path, host="0.0.0.0"))
    seed(context)
    server = start_web_server(context)
    assert server.address is not None
    try:  # the test talks to it on loopback only
        with httpx.Client(base_url=f"http://127.0.0.1:{server.address[1]}", trust_env=False) as client:
            api = client.get("/api/v1/stories")
            page = client.get("/stories", follow_redirects=False)
            with_token = client.get("/api/v1/stories", headers={"Authorization": f"Bearer {TOKEN}"})
            health = client.get("/healthz")
            metrics = client.get("/metrics")
    finally:
        server.close()
    assert api.status_code == 401
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/stories"
    assert with_token.status_code == 200 and with_token.json()["total"] == 2
    assert health.status_code == 200 and metrics.status_code == 200
