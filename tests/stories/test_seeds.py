"""The five seed articles (one story in Hindi, Arabic and English) form one story; unrelated news stays out."""

import json

from monitor.cli import main


def _seed_records(shared):
    records = []
    for path in sorted((shared / "corpus" / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next(line.strip() for line in text.splitlines() if line.strip())
        records.append({"id": f"seed-{path.stem}", "title": title, "text": text})
    return records


def _unrelated(shared, n=200):
    seen, out = set(), []
    with open(shared / "eval" / "semeval2022" / "pairs.dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            pair = json.loads(line)
            for s in (1, 2):
                if pair[f"text{s}_source"].startswith("original") and pair[f"id{s}"] not in seen:
                    seen.add(pair[f"id{s}"])
                    out.append({"id": f"dev-{pair[f'id{s}']}", "title": pair[f"title{s}"] or "",
                                "text": pair[f"text{s}"] or "", "lang": pair[f"lang{s}"]})
    return out[:n]


def test_seeds_form_one_story_and_unrelated_articles_stay_out(shared, tmp_path, capsys):
    seeds, others = _seed_records(shared), _unrelated(shared)
    assert len(seeds) == 5 and len(others) == 200
    # Seeds spread through the stream, so each must find the story among 200 distractors.
    stream = others[:40] + seeds[:1] + others[40:90] + seeds[1:3] + others[90:150] + seeds[3:] + others[150:]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in stream), encoding="utf-8")
    assert main(["cluster", str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in stream]
    story = {o["id"]: o["story"] for o in out}
    seed_stories = {story[s["id"]] for s in seeds}
    assert len(seed_stories) == 1
    assert [o["id"] for o in others if story[o["id"]] in seed_stories] == []
