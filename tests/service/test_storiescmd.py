"""`monitor stories list|show|export`: JSON Lines on stdout, people's text otherwise, real databases."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

# monitor.cli.common imports monitor.config, which needs every helper's settings module on main.
pytest.importorskip("monitor.config", reason="monitor.config cannot be imported yet (helpers not merged)",
                    exc_type=ImportError)

from monitor.cli import main
from monitor.cli.storiescmd import parse_since
from monitor.errors import ConfigError
from monitor.storage.tables import stories

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
Main = Callable[[Sequence[str]], int]


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", NOW - timedelta(days=7)), ("12h", NOW - timedelta(hours=12)),
    ("30m", NOW - timedelta(minutes=30)), ("2w", NOW - timedelta(weeks=2)),
    ("1.5d", NOW - timedelta(hours=36)),
    ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
    ("2026-05-01T10:00:00+02:00", datetime(2026, 5, 1, 8, tzinfo=UTC)),
])
def test_since_accepts_durations_and_dates(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_since_rejects_anything_else() -> None:
    with pytest.raises(ConfigError, match="7d"):
        parse_since("last tuesday", NOW)


def _config(tmp_path: Path, engine: Engine) -> str:
    path = tmp_path / "monitor.toml"
    url = engine.url.render_as_string(hide_password=False)
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return str(path)


def test_list_show_export(engine: Engine, seeded_stories: dict[str, int], tmp_path: Path,
                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    ids = seeded_stories
    with engine.begin() as conn:  # the CLI measures --since from the real clock
        conn.execute(update(stories).where(stories.c.id == ids["flood"])
                     .values(last_seen_at=datetime.now(UTC)))
    config = _config(tmp_path, engine)

    assert main(["stories", "list", "--since", "1d", "--json", "-c", config]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["id"] for s in listed] == [ids["flood"]]

    assert main(["stories", "show", str(ids["flood"]), "-c", config]) == 0
    shown = capsys.readouterr().out
    assert "flood story" in shown and "floods -> ops-mail: sent" in shown

    assert main(["stories", "show", "999999", "-c", config]) == 1
    assert "no story with id 999999" in capsys.readouterr().err

    assert main(["stories", "export", "-c", config]) == 0
    captured = capsys.readouterr()
    exported = [json.loads(line) for line in captured.out.splitlines()]
    assert len(exported) == 3 and all(len(s["articles"]) == 2 for s in exported)
    assert "exported 3 stories" in captured.err


@pytest.mark.slow
def test_backfill_plans_alerts_for_stored_stories_once(
    engine: Engine, seeded_stories: dict[str, int], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy import select

    from monitor.storage.tables import outbox

    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    ids = seeded_stories
    with engine.begin() as conn:
        conn.execute(update(stories).where(stories.c.id.in_([ids["flood"], ids["quake"]]))
                     .values(last_seen_at=datetime.now(UTC)))
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "quakes.toml").write_text('channels = ["hook"]\nterms = ["quake"]\n',
                                                          encoding="utf-8")
    config = Path(_config(tmp_path, engine))
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/never-called"\n',
                      encoding="utf-8")

    assert main(["backfill", "--since", "1d", "-c", str(config)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert (summary["stories"], summary["alerts_planned"]) == (2, 1)  # flood and quake seen; quake matches
    assert "matched 2 stories, 1 alerts planned" in captured.err
    assert "\r" not in captured.err and "[#" not in captured.err  # no progress bar into a pipe
    with engine.connect() as conn:
        planned = conn.execute(select(outbox.c.story_id, outbox.c.channel).where(outbox.c.channel == "hook"))
        assert planned.all() == [(ids["quake"], "hook")]

    assert main(["backfill", "--since", "1d", "-c", str(config)]) == 0  # nothing new the second time
    assert json.loads(capsys.readouterr().out)["alerts_planned"] == 0
