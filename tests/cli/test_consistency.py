"""One way of doing things across commands: -c everywhere, no secrets where nothing is sent, exports
that other commands read, the reasons behind a match, and lower-case query operators."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from monitor.cli import build_parser
from tests.cli.process import assert_clean_error, monitor

NO_CONFIG = {"demo": "builds its own config", "watchlists parse": "parses its argument, reads nothing"}


def leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(leaf_commands(sub, f"{prefix} {name}".strip()))
            return found
    return {prefix: parser}


def test_every_command_takes_a_config_option() -> None:
    commands = leaf_commands(build_parser())
    assert {"extract", "similarity", "cluster", "match", "alerts send"} <= set(commands)
    lacking = {name for name, parser in commands.items()
               if "-c" not in {o for a in parser._actions for o in a.option_strings}}
    assert lacking == set(NO_CONFIG)


def test_commands_that_send_nothing_need_no_channel_secrets(demo: Path) -> None:
    config = demo / "monitor.toml"
    mail = 'to = ["newsroom@example.org"]\n'
    text = config.read_text(encoding="utf-8")
    assert mail in text
    secret = 'username = "monitor"\npassword = "${DEMO_SMTP_PASSWORD_UNSET}"\n'
    config.write_text(text.replace(mail, mail + secret), encoding="utf-8")
    articles = demo / "articles.jsonl"
    article = {"id": "a1", "title": "Battle for Baghouz", "text": "SDF fighters"}
    articles.write_text(json.dumps(article) + "\n", encoding="utf-8")
    matched = monitor("match", "-c", str(config), str(articles))
    assert matched.returncode == 0, matched.stderr
    assert json.loads(matched.stdout)["watchlist"] == "syria-conflict"
    for command in (["stories", "list"], ["feeds", "list"], ["alerts", "list"],
                    ["watchlists", "test", "syria-conflict"]):
        result = monitor(*command, "-c", str(config))
        assert result.returncode == 0, (command, result.stderr)
        assert "DEMO_SMTP_PASSWORD_UNSET" not in result.stderr
    for delivering in (["once"], ["alerts", "send"], ["check-config"]):  # these need it, and say so
        result = monitor(*delivering, "-c", str(config))
        assert result.returncode == 1
        assert "DEMO_SMTP_PASSWORD_UNSET" in result.stderr + result.stdout
        assert "Traceback" not in result.stderr


def test_stories_export_feeds_match_and_cluster(demo: Path) -> None:
    config = str(demo / "monitor.toml")
    exported = monitor("stories", "export", "--articles", "-c", config)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(lines) == 10 and all(line["text"] and line["lang"] for line in lines)
    story_of = {line["id"]: line["story"] for line in lines}

    clustered = monitor("cluster", "-c", config, "-", stdin=exported.stdout)
    assert clustered.returncode == 0, clustered.stderr
    label_of = {row["id"]: row["story"] for row in map(json.loads, clustered.stdout.splitlines())}
    assert set(label_of) == set(story_of)
    same_story = [[a for a in story_of if story_of[a] == s] for s in set(story_of.values())]
    assert all(len({label_of[a] for a in group}) == 1 for group in same_story)  # grouped as stored
    assert len(set(label_of.values())) == len(same_story)

    matched = monitor("match", "-c", config, "-", stdin=exported.stdout)
    assert matched.returncode == 0, matched.stderr
    baghouz = {a for a, s in story_of.items() if len([b for b in story_of if story_of[b] == s]) == 5}
    assert {row["id"] for row in map(json.loads, matched.stdout.splitlines())} == baghouz

    with_text = monitor("stories", "export", "--text", "-c", config)
    stories = [json.loads(line) for line in with_text.stdout.splitlines()]
    assert all(a["text"] for s in stories for a in s["articles"])
    without = json.loads(monitor("stories", "export", "-c", config).stdout.splitlines()[0])
    assert "text" not in without["articles"][0]


def test_stories_show_prints_the_hits_behind_a_match(demo: Path) -> None:
    config = str(demo / "monitor.toml")
    listing = monitor("stories", "list", "--json", "-c", config)
    listed = [json.loads(line) for line in listing.stdout.splitlines()]
    [alerted] = [s for s in listed if s["alerted"]]
    shown = monitor("stories", "show", str(alerted["id"]), "-c", config)
    assert shown.returncode == 0, shown.stderr
    after_match = shown.stdout.split("matched syria-conflict", 1)[1]
    assert "Baghouz in text (article " in after_match and "in its final scrap of territory" in after_match
    assert "बघौज in title" in after_match


def test_lower_case_or_in_a_query_is_the_operator(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "either.toml").write_text("query = 'baghouz or mosul'\n", encoding="utf-8")
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": n, "title": title, "text": ""}) + "\n" for n, title in
                                enumerate(["Fighting in Mosul", "Baghouz falls", "Or gold prices"])),
                        encoding="utf-8")
    result = monitor("match", "--watchlists", str(tmp_path / "lists"), str(articles))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [0, 1]
    parsed = monitor("watchlists", "parse", "syria or iraq")
    assert parsed.returncode == 0 and "OR" in parsed.stdout


def test_match_without_a_watchlist_folder_or_config_says_what_to_give(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "x"}\n', encoding="utf-8")
    result = monitor("match", "a.jsonl", cwd=tmp_path)
    assert_clean_error(result, "--watchlists DIR", "-c CONFIG")


def test_exit_codes_are_documented_in_the_help() -> None:
    parser = build_parser()
    assert "exit status: 0 done; 1 an error" in " ".join(parser.format_help().split())
    commands = leaf_commands(parser)
    for name in ("alerts retry", "alerts send", "alerts list", "test-alert", "check-config"):
        assert "xit status" in commands[name].format_help(), name
    assert "3 some alert was" in " ".join(commands["alerts retry"].format_help().split())
