import json

from monitor.cli import main

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


def test_cluster_groups_in_input_order_and_draws_no_progress_when_piped(tmp_path, capsys):
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
    assert [json.loads(line) for line in captured.out.splitlines()] == [
        {"id": 1, "story": 1}, {"id": 2, "story": 2}, {"id": 3, "story": 1}, {"id": 4, "story": 1}]
    assert "clustered 4 articles" in captured.err  # the summary; the progress line is for terminals
    assert "4/4 articles" not in captured.err and "\r" not in captured.err


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["cluster", str(tmp_path / "nope.jsonl")]) == 1
    assert "nope.jsonl" in capsys.readouterr().err


def test_similarity_falls_with_days_between_publications(tmp_path, capsys):
    base = {"id1": "a", "id2": "b", "title1": "Oder floods Wroclaw", "text1": FLOOD,
            "title2": "Wroclaw evacuates as the Oder overflows", "text2": FLOOD2}
    path = tmp_path / "pairs.jsonl"
    _write(path, [base,
                  {**base, "published1": "2026-03-01T10:00:00Z", "published2": "2026-03-01T20:00:00Z"},
                  {**base, "published1": "2026-03-01T10:00:00Z", "published2": "2026-03-07T10:00:00Z"}])
    assert main(["similarity", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    undated, same_day, week_apart = (json.loads(line)["similarity"] for line in lines)
    assert undated == same_day  # no date, or dates within a day: the time signal is neutral
    assert week_apart < same_day - 0.2


def test_languages_are_read_as_the_daemon_reads_them():
    from monitor.cli.clustercmd import _language

    assert _language("ar-SA", "", "") == "ar"  # not "ar-SA", which no per-language weight knows
    text = "قالت قوات سوريا الديمقراطية إن مقاتليها يتقدمون في الباغوز آخر معاقل التنظيم شرق سوريا " * 3
    assert _language(None, "", text) == "ar"  # py3langid's dialect codes (arz, ary) fold into ar
    assert _language(None, "", "ok") is None  # too short to guess: no language, as in the daemon
