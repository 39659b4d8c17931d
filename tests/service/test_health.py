"""/healthz follows the database (down and back up); /metrics is valid Prometheus text with DB gauges."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, insert

from monitor.clock import SystemClock
from monitor.config import Settings
from monitor.service.metrics import Metrics
from monitor.service.settings import ServiceSettings
from monitor.storage.db import create_db_engine, migrate
from monitor.storage.tables import feeds, outbox, stories
from monitor.web.context import ConsoleContext
from monitor.web.server import WebServer
from monitor.web.server import start_web_server as start_console
from monitor.web.settings import WebSettings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def start_web_server(service: ServiceSettings, engine: Engine, metrics: Metrics, *,
                     web: WebSettings | None = None) -> WebServer:
    """The daemon's server (console, /healthz, /metrics) on `web`, or where [service] says."""
    settings = Settings(service=service, web=web or WebSettings(port=service.metrics_port or 0))
    return start_console(ConsoleContext(settings=settings, engine=engine, clock=SystemClock(),
                                        metrics=metrics, watchlists=_NoWatchlists(), embedder=None))


class _NoWatchlists:
    @property
    def errors(self) -> list[Any]:
        return []

    def current(self) -> list[Any]:
        return []


def _get(port: int, path: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10, trust_env=False)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(feeds), [
            {"name": name, "url": f"http://127.0.0.1/{name}", "tags": [], "next_check_at": NOW,
             "created_at": NOW, "error_count": errors, "enabled": enabled}
            for name, errors, enabled in (("ok", 0, True), ("bad", 3, True), ("off", 0, False))
        ])
        story_id = conn.execute(insert(stories).values(
            title="Flood", first_seen_at=NOW, last_seen_at=NOW, languages=[], sources=[]
        )).inserted_primary_key[0]
        conn.execute(insert(outbox), [
            {"story_id": story_id, "watchlist": "floods", "channel": channel, "state": state,
             "next_attempt_at": NOW, "message_id": f"<{channel}@x>", "payload": {}, "created_at": NOW}
            for channel, state in (("ops-mail", "sent"), ("chat", "pending"))
        ])


def test_metrics_are_prometheus_text_with_counters_and_db_gauges(engine: Engine, free_port: int) -> None:
    _seed(engine)
    metrics = Metrics(instance="replica-1")
    metrics.feed_polled("ok")
    metrics.feed_polled("ok")
    metrics.error("page")
    metrics.alert_delivery("ops-mail", "sent")
    metrics.story_assigned(created=True)
    metrics.story_assigned(created=False)
    metrics.story_assigned(created=False)
    metrics.alerts_planned.inc(2)
    for _ in range(2):
        with metrics.time_cycle("poll"):
            pass
    web = start_web_server(ServiceSettings(metrics_port=free_port), engine, metrics)
    try:
        response = _get(free_port, "/metrics")
    finally:
        web.close()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("monitor_feed_polls_total", (("outcome", "ok"),))] == 2
    assert samples[("monitor_errors_total", (("kind", "page"),))] == 1
    assert samples[("monitor_alert_deliveries_total", (("channel", "ops-mail"), ("outcome", "sent")))] == 1
    assert samples[("monitor_cycle_duration_seconds_count", (("job", "poll"),))] == 2
    assert samples[("monitor_cycle_duration_seconds_bucket", (("job", "poll"), ("le", "0.5")))] == 2
    assert samples[("monitor_stories_changed_total", (("event", "created"),))] == 1
    assert samples[("monitor_stories_changed_total", (("event", "joined"),))] == 2
    assert samples[("monitor_alerts_planned_total", ())] == 2
    assert samples[("monitor_database_up", ())] == 1
    for state in ("active", "erroring", "disabled"):
        assert samples[("monitor_feeds_configured", (("state", state),))] == 1
    assert samples[("monitor_outbox_alerts", (("channel", "ops-mail"), ("state", "sent")))] == 1
    assert samples[("monitor_outbox_alerts", (("channel", "chat"), ("state", "pending")))] == 1
    assert samples[("monitor_stories_stored", ())] == 1
    assert samples[("monitor_build_info", (("instance", "replica-1"), ("version", "0.1.0")))] == 1


def test_two_app_instances_keep_separate_metrics() -> None:
    first, second = Metrics(), Metrics()
    first.feed_polled("error")
    assert b'monitor_feed_polls_total{outcome="error"} 1.0' in first.render()
    assert b"monitor_feed_polls_total{" not in second.render()


def test_healthz_on_sqlite_follows_the_database_file(tmp_path: Path, free_port: int) -> None:
    path = tmp_path / "state" / "monitor.db"
    path.parent.mkdir()
    engine = create_db_engine(f"sqlite:///{path}")
    migrate(engine)
    web = start_web_server(ServiceSettings(metrics_port=free_port), engine, Metrics())
    try:
        up = _get(free_port, "/healthz")
        assert (up.status_code, up.json()) == (200, {"status": "ok"})
        shutil.move(path.parent, tmp_path / "moved")
        down = _get(free_port, "/healthz")
        assert down.status_code == 503
        assert down.json()["status"] == "unavailable"
        assert "missing" in down.json()["reason"]
        metrics_while_down = _samples(_get(free_port, "/metrics").text)
        assert metrics_while_down[("monitor_database_up", ())] == 0
        shutil.move(tmp_path / "moved", path.parent)
        assert _get(free_port, "/healthz").status_code == 200
    finally:
        web.close()
        engine.dispose()


@pytest.mark.postgres
def test_healthz_on_postgres_follows_the_connection(
    postgres_url: str, tcp_proxy: Any, free_port: int
) -> None:
    direct = create_db_engine(postgres_url)
    migrate(direct)
    direct.dispose()
    target = direct.url
    proxy = tcp_proxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.start()
    via_proxy = target.set(host="127.0.0.1", port=proxy.port)
    engine = create_db_engine(via_proxy.render_as_string(hide_password=False))
    settings = ServiceSettings(metrics_port=free_port, health_timeout_seconds=5)
    web = start_web_server(settings, engine, Metrics())
    try:
        assert _get(free_port, "/healthz").status_code == 200
        proxy.stop()  # the server is gone as far as the service can tell
        down = _get(free_port, "/healthz")
        assert down.status_code == 503
        assert "database unreachable" in down.json()["reason"]
        assert target.password not in down.text
        proxy.start()
        assert _get(free_port, "/healthz").status_code == 200
    finally:
        web.close()
        engine.dispose()


def test_unknown_path_is_404_and_a_disabled_server_does_not_listen(tmp_path: Path, free_port: int) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    off = WebSettings(enabled=False, port=free_port)
    assert start_web_server(ServiceSettings(), engine, Metrics(), web=off).address is None
    web = start_web_server(ServiceSettings(metrics_port=free_port), engine, Metrics())
    try:
        assert web.address == ("127.0.0.1", free_port)
        assert _get(free_port, "/nope").status_code == 404
    finally:
        web.close()
        engine.dispose()


@pytest.mark.postgres
def test_healthz_answers_503_in_time_when_the_database_hangs(
    postgres_url: str, tcp_proxy: Any, free_port: int
) -> None:
    target = create_db_engine(postgres_url).url
    proxy = tcp_proxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.stall = True  # connections are accepted and then nothing: the check can only time out
    proxy.start()
    via_proxy = target.set(host="127.0.0.1", port=proxy.port)
    engine = create_db_engine(via_proxy.render_as_string(hide_password=False))
    settings = ServiceSettings(metrics_port=free_port, health_timeout_seconds=0.5)
    web = start_web_server(settings, engine, Metrics())
    try:
        first = _get(free_port, "/healthz")
        assert first.status_code == 503 and "did not answer within 0.5s" in first.json()["reason"]
        second = _get(free_port, "/healthz")  # the hung check is not started again beside itself
        assert second.status_code == 503 and "still unanswered" in second.json()["reason"]
        proxy.stop()  # drops the hung connection: the check fails and ends
        proxy.stall = False
        proxy.start()
        assert wait_until_healthy(free_port), "never healthy again"
    finally:
        web.close()
        engine.dispose()


def wait_until_healthy(port: int) -> bool:
    for _ in range(100):  # the dropped check needs a moment to end
        if _get(port, "/healthz").status_code == 200:
            return True
        time.sleep(0.1)
    return False
