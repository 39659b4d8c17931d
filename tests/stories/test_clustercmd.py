import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.stories.similarity import SHIPPED

FLOOD = ("Heavy rain caused the Oder river to burst its banks near Wroclaw on Tuesday, forcing 4,000 "
         "residents to leave their homes. Rescue teams used boats to reach villages cut off by the water.")
FLOOD2 = ("Thousands of people were evacuated around Wroclaw after the Oder river overflowed following "
          "heavy rain on Tuesday. Boats reached villages that the water had cut off; 4,000 left home.")
ELECTION = ("Voters in Portugal chose a new parliament on Sunday after the prime minister resigned in "
            "November. The centre-right alliance won the most seats but fell short of a majority.")


def _write(path, rows):
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_similarity_scores_pairs_and_names_a_bad_line(tmp_path, capsys):
    path = tmp_path / "pairs.jsonl"
    _write(path, [
        {"id1": "a", "id2": "b", "title1": "Oder floods Wroclaw", "text1": FLOOD,
         "title2": "Wroclaw evacuates as the Oder overflows", "text2": FLOOD2, "lang1": "en", "lang2": "en"},
        "{not json",
        {"id1": "a", "id2": "c", "title1": "Oder floods Wroclaw", "text1": FLOOD,
         "title2": "Portugal votes", "text2": ELECTION, "published1": "2026-03-01T10:00:00Z"},
    ])
    assert main(["similarity", str(path)]) == 1  # the bad line is reported, the others still scored
    captured = capsys.readouterr()
    assert f"{path}:2" in captured.err
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["id1"], r["id2"]) for r in rows] == [("a", "b"), ("a", "c")]
    assert all(0.0 <= r["similarity"] <= 1.0 for r in rows)
    assert rows[0]["similarity"] > rows[1]["similarity"]
    assert rows[0]["same_story"] is True and rows[1]["same_story"] is False


def test_cluster_groups_in_input_order_with_reasons_and_no_progress_when_piped(tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    _write(path, [
        {"id": 1, "title": "Oder floods Wroclaw", "text": FLOOD},
        {"id": 2, "title": "Portugal votes", "text": ELECTION, "lang": "en"},
        {"id": 3, "title": "Wroclaw evacuates as the Oder overflows", "text": FLOOD2,
         "published": "2026-03-01T10:00:00+00:00"},
        {"id": 4, "title": "Oder floods Wroclaw", "text": FLOOD},
    ])
    assert main(["cluster", str(path), "--batch-size", "2"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["id"], r["story"], r["reason"]) for r in rows] == [
        (1, 1, "new"), (2, 2, "new"), (3, 1, "similar"), (4, 1, "text-duplicate")]
    assert "Wroclaw" in rows[2]["shared"]  # the names (and numbers) behind the decision
    assert rows[2]["score"] >= 0.5 and rows[3]["score"] == 1.0 and "shared" not in rows[3]
    assert "clustered 4 articles" in captured.err  # the summary; the progress line is for terminals
    assert "4 articles," not in captured.err and "\r" not in captured.err
    assert "not in time order" not in captured.err


def test_cluster_says_when_the_input_is_not_in_time_order(tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    _write(path, [{"id": 1, "title": "Portugal votes", "text": ELECTION, "published": "2026-03-02T10:00Z"},
                  {"id": 2, "title": "Oder floods Wroclaw", "text": FLOOD, "published": "2026-03-01T10:00Z"}])
    assert main(["cluster", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:2: not in time order" in err and "1 articles not in time order" in err


def test_cluster_writes_each_line_as_soon_as_the_article_is_placed(tmp_path):
    # The second article is not written yet: the first one's line must already be there.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "cluster", "-", "--batch-size", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        proc.stdin.write(json.dumps({"id": "a", "title": "Oder floods Wroclaw", "text": FLOOD}) + "\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())
        assert (first["id"], first["reason"]) == ("a", "new")
        proc.stdin.write(json.dumps({"id": "b", "title": "Portugal votes", "text": ELECTION}) + "\n")
        proc.stdin.close()
        assert json.loads(proc.stdout.readline())["id"] == "b"
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["cluster", str(tmp_path / "nope.jsonl")]) == 1
    assert "nope.jsonl" in capsys.readouterr().err


def test_similarity_falls_with_days_between_publications(tmp_path, capsys):
    base = {"id1": "a", "id2": "b", "title1": "Oder floods Wroclaw", "text1": FLOOD,
            "title2": "Wroclaw evacuates as the Oder overflows", "text2": FLOOD2}
    path = tmp_path / "pairs.jsonl"
    _write(path, [base,
                  {**base, "published1": "2026-03-01T10:00:00Z", "published2": "2026-03-01T20:00:00Z"},
                  {**base, "published1": "2026-03-01T10:00:00Z", "published2": "2026-03-07T10:00:00Z"},
                  {**base, "published1": "2026-03-01T10:00:00Z", "published2": "2026-05-30T10:00:00Z"}])
    assert main(["similarity", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    undated, same_day, week_apart, months_apart = (json.loads(line)["similarity"] for line in lines)
    assert undated == same_day  # no date, or dates within a day: the time signal is neutral
    assert months_apart < week_apart < same_day
    # the fitted penalty (coefficients.json "time"): logits lost per day beyond the grace day
    time = json.loads(SHIPPED.read_text(encoding="utf-8"))["time"]
    lost = math.log(same_day / (1 - same_day)) - math.log(months_apart / (1 - months_apart))
    assert lost == pytest.approx(time["penalty_per_day"] * (90 - time["grace_days"]), abs=0.01)


def test_languages_are_read_as_the_daemon_reads_them():
    from monitor.cli.clustercmd import _language

    assert _language("ar-SA", "", "") == "ar"  # not "ar-SA", which no per-language weight knows
    text = "قالت قوات سوريا الديمقراطية إن مقاتليها يتقدمون في الباغوز آخر معاقل التنظيم شرق سوريا " * 3
    assert _language(None, "", text) == "ar"  # py3langid's dialect codes (arz, ary) fold into ar
    assert _language(None, "", "ok") is None  # too short to guess: no language, as in the daemon
