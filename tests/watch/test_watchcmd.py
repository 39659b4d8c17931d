from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.errors import MonitorError
from monitor.storage import tables
from monitor.storage.db import create_db_engine, migrate
from monitor.watch import load_watchlists

try:  # the CLI helpers import the main config, which needs every area's settings module
    from monitor.cli import watchcmd
except ImportError as exc:  # pragma: no cover - only while another area's settings are not merged
    pytest.skip(f"the CLI cannot be built yet: {exc}", allow_module_level=True)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    watchcmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    watch = tmp_path / "watchlists"
    watch.mkdir()
    (watch / "syria.toml").write_text(
        'channels = ["ops"]\nquery = \'(Baghouz OR الباغوز OR बघौज) AND NOT title:football\'\n',
        encoding="utf-8")
    (watch / "bali.toml").write_text('terms = ["\\"Mustafa Bali\\""]\n', encoding="utf-8")
    return watch


def test_match_writes_one_line_per_article_and_watchlist(folder: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    articles = tmp_path / "articles.jsonl"
    rows = [
        {"id": "a1", "title": "Fighting at Baghouz", "text": "said Mustafa Bali."},
        {"id": "a2", "title": "football", "text": "Baghouz FC won"},
        {"id": 3, "title": "", "text": "تقدم في الباغوز", "lang": "ar"},
        {"id": "a4", "title": "Balikpapan", "text": "nothing"},
    ]
    articles.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n",
                        encoding="utf-8")
    code = run(["match", "--watchlists", str(folder), str(articles)])
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert sorted((r["id"], r["watchlist"]) for r in lines if isinstance(r["id"], str)) == [
        ("a1", "bali"), ("a1", "syria")]
    assert [(r["id"], r["watchlist"]) for r in lines if not isinstance(r["id"], str)] == [(3, "syria")]
    first = next(r for r in lines if r["id"] == "a1" and r["watchlist"] == "syria")
    assert first["hits"] == [{"term": "Baghouz", "field": "title", "snippet": "Fighting at Baghouz",
                              "score": 1.0}]
    assert "articles.jsonl:5" in captured.err  # the broken line is named, the others still ran
    assert code == 1


def test_parse_shows_how_a_query_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["watchlists", "parse", 'Bomb* -title:"Car Race" OR دَاعِش NEAR/3 बघौज़']) == 0
    assert capsys.readouterr().out.strip() == '((bomb* AND NOT title:"car race") OR (داعش NEAR/3 बघौज))'


def test_replay_lists_stored_stories_the_watchlist_would_alert(folder: Path, tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    stories = [("Baghouz battle", "fighting at Baghouz", now),
               ("Old Baghouz", "Baghouz", now - timedelta(days=30)),
               ("Weather", "rain", now)]
    with engine.begin() as conn:
        for i, (title, text, seen) in enumerate(stories, start=1):
            conn.execute(tables.stories.insert().values(
                id=i, title=title, first_seen_at=seen, last_seen_at=seen, article_count=1,
                languages=["en"], sources=["wire"], alerted=False))
            conn.execute(tables.articles.insert().values(
                id=i, canonical_url=f"http://x/{i}", url=f"http://x/{i}", source="wire", title=title,
                text=text, language="en", fetched_at=seen, text_hash=str(i), story_id=i))
    [watchlist] = [w for w in load_watchlists(folder, channels={"ops"})[0] if w.name == "syria"]
    with engine.connect() as conn:
        seen, alerts = watchcmd.replay(conn, watchlist, since=now - timedelta(days=7), embedder=None)
    engine.dispose()
    assert seen == 2
    assert [(story.id, match.hits[0].field) for story, match in alerts] == [(1, "title")]


def test_watchlists_test_command_reads_the_config_and_database(folder: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[database]\nurl = "sqlite:///db.sqlite"\n[watchlists]\ndirectory = "watchlists"\n'
                      '[channels.ops]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n', encoding="utf-8")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(tables.stories.insert().values(
            id=1, title="Baghouz battle", first_seen_at=now, last_seen_at=now, article_count=1,
            languages=["ar"], sources=["wire"], alerted=False))
        conn.execute(tables.articles.insert().values(
            id=1, canonical_url="http://x/1", url="http://x/1", source="wire", title="معركة",
            text="القتال في الباغوز", language="ar", fetched_at=now, text_hash="1", story_id=1))
    engine.dispose()
    assert run(["watchlists", "test", "syria", "--days", "2", "--config", str(config), "--json"]) == 0
    captured = capsys.readouterr()
    [line] = [json.loads(x) for x in captured.out.splitlines()]
    assert (line["story_id"], line["watchlist"], line["channels"]) == (1, "syria", ["ops"])
    assert line["hits"][0]["term"] == "الباغوز"
    assert "1 of 1 stories" in captured.err
    with pytest.raises(MonitorError, match="no watchlist named 'nope'"):
        run(["watchlists", "test", "nope", "--config", str(config)])


def test_match_loads_the_model_only_for_about_watchlists(folder: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from monitor.stories import embedders

    class Fixed:
        name, dim = "fixed", 2

        def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
            return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))

    loaded: list[object] = []
    monkeypatch.setattr(embedders, "load_embedder", lambda settings: loaded.append(settings) or Fixed())
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a1", "title": "Baghouz", "text": "x"}) + "\n", encoding="utf-8")
    assert run(["match", "--watchlists", str(folder), str(articles)]) == 0
    assert loaded == []

    (folder / "topic.toml").write_text('about = ["fighting in Syria"]\n', encoding="utf-8")
    assert run(["match", "--watchlists", str(folder), str(articles)]) == 0
    assert len(loaded) == 1
    assert "3 watchlists, 0 skipped" in capsys.readouterr().err
