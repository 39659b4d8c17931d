"""Structured logs: JSON lines carry the fields given with `extra=`; secrets never reach the output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from monitor.logs import configure_logging


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


@pytest.mark.usefixtures("restore_root_logger")
def test_json_lines_have_fixed_keys_and_extra_fields() -> None:
    stream = io.StringIO()
    configure_logging(json=True, level="INFO", stream=stream)
    log = logging.getLogger("monitor.ingest")
    log.warning("feed poll failed", extra={"feed_id": 7, "channel": "ops-mail", "story_id": 3})
    log.debug("not shown at INFO")
    [line] = _lines(stream)
    record = json.loads(line)
    assert record["level"] == "warning"
    assert record["logger"] == "monitor.ingest"
    assert record["msg"] == "feed poll failed"
    assert (record["feed_id"], record["channel"], record["story_id"]) == (7, "ops-mail", 3)
    assert record["ts"].endswith("Z")


@pytest.mark.usefixtures("restore_root_logger")
def test_exceptions_are_one_json_line_with_the_traceback() -> None:
    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    try:
        raise ValueError("bad feed")
    except ValueError:
        logging.getLogger("monitor").exception("cycle failed", extra={"feed_id": 1})
    [line] = _lines(stream)
    record = json.loads(line)
    assert "ValueError: bad feed" in record["exc"]
    assert record["level"] == "error"


@pytest.mark.usefixtures("restore_root_logger")
@pytest.mark.parametrize("as_json", [True, False])
def test_secrets_are_masked(as_json: bool) -> None:
    stream = io.StringIO()
    configure_logging(json=as_json, stream=stream)
    log = logging.getLogger("monitor.alerts")
    log.info("connecting to %s", "postgresql+psycopg://monitor:hunter2@db:5432/monitor",
             extra={"smtp_password": "hunter2", "api_token": "tok-hunter2",
                    "headers": {"Authorization": "hunter2"},
                    "webhook": "https://user:hunter2@hooks.example/x", "channel": "ops"})
    output = stream.getvalue()
    assert "hunter2" not in output
    assert "monitor:***@db" in output
    assert "channel" in output and "ops" in output


@pytest.mark.usefixtures("restore_root_logger")
def test_human_format_is_one_line_with_key_values() -> None:
    stream = io.StringIO()
    configure_logging(json=False, level="DEBUG", stream=stream)
    logging.getLogger("monitor.alerts").debug("sent", extra={"channel": "ops mail", "story_id": 9})
    [line] = _lines(stream)
    assert line.endswith('DEBUG monitor.alerts: sent channel="ops mail" story_id=9')
