"""`monitor demo`: the seeds arrive from different outlets in three languages; one story, one alert."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from monitor.demo.run import demo_cycle, print_alerts, print_stories


def test_demo_links_the_seeds_across_languages_and_alerts_once() -> None:
    result = demo_cycle()
    baghouz = [s for s in result.stories if any("baghouz" in a.url for a in s.articles)]
    assert len(baghouz) == 1, [[a.url for a in s.articles] for s in result.stories]
    story = baghouz[0]
    assert len(story.articles) == 5 and story.languages == ("ar", "en", "hi")
    assert len(story.sources) == 5  # five outlets, each with its own feed
    # the unrelated articles (another fight in Syria on another day among them) stay out
    assert all(not any("baghouz" in a.url for a in s.articles) for s in result.stories if s is not story)
    assert any("aleppo" in a.url for s in result.stories if s is not story for a in s.articles)

    assert len(result.messages) == 1
    body = result.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Languages: ar, en, hi" in body
    for article in story.articles:
        assert article.url in body

    out = io.StringIO()
    print_stories(result.stories, out)
    print_alerts(result.messages, out)
    assert "1 alert(s) delivered" in out.getvalue() and "languages: ar, en, hi" in out.getvalue()


def test_the_demo_ends_with_the_three_commands_to_ones_own_feeds() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "monitor", "demo"], cwd=root, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-3:]
    assert last == ["  cp config/monitor.example.toml config/monitor.toml      # then list your feeds and "
                    "channels in it", "  .venv/bin/monitor check-config -c config/monitor.toml",
                    "  .venv/bin/monitor once -c config/monitor.toml"]
