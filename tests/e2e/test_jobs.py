"""Every stage a durable job: a page that breaks its stage, and a process that dies between stages.

The loopback site, the SMTP sink and the config are those of test_pipeline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

import monitor.content.extract
import monitor.jobs.content
import monitor.jobs.pipeline
from monitor.clock import FakeClock
from monitor.config import load_config
from monitor.content.canonical import resolve_canonical
from monitor.demo.feeds import FeedItem, rss
from monitor.demo.site_server import SiteServer
from monitor.demo.smtp_sink import SmtpSink
from monitor.jobs.once import run_once
from monitor.storage.db import create_db_engine
from monitor.storage.tables import articles, entries, stories
from monitor.stories.embedders import LazyEmbedder
from monitor.watch.about import reference_sentences
from tests.e2e.site import SITE, publish, seed_pages

ROOT = Path(__file__).resolve().parents[2]


def _only_on_the_news_feed(site: SiteServer, pages: dict[str, dict[str, str]], slugs: list[str]) -> None:
    """`slugs` published on the news feed; the world's two other feeds empty."""
    site.put("/hindi.rss", rss("news", site.base_url, publish(site, pages, slugs)))
    site.put("/gulf.atom", rss("empty", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))


def test_a_page_that_breaks_extraction_is_recorded_final_after_the_attempts_and_spoils_no_other(
        world: tuple[SiteServer, SmtpSink, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site, smtp, config = world
    pages = seed_pages()
    seeds = sorted(slug for slug, a in pages.items() if a["is_seed"])
    poison = seeds[0]
    _only_on_the_news_feed(site, pages, seeds)
    extract = monitor.content.extract.extract_article

    def breaks_on_one_page(page, **kwargs):  # type: ignore[no-untyped-def]
        if page.url.endswith(f"/{poison}.html"):
            raise RecursionError("maximum recursion depth exceeded")  # what no rule of ours foresaw
        return extract(page, **kwargs)

    monkeypatch.setattr(monitor.content.extract, "extract_article", breaks_on_one_page)  # read at use
    settings = load_config(config)
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    first = run_once(settings, clock=clock)
    content = first.report("content")
    assert content.counts["articles"] == len(seeds) - 1  # the rest of its batch, in the same run
    assert content.failed == 1 and "RecursionError" in content.errors[0]
    assert len(smtp.messages) == 2  # the Baghouz story, one email per channel
    db = create_db_engine(settings.database.url)

    def poisoned() -> tuple[str, int, str]:
        with db.connect() as conn:
            row = conn.execute(select(entries).where(entries.c.url.like(f"%/{poison}.html"))).one()
        return row.status, row.attempts, row.error

    assert poisoned()[:2] == ("new", 1)  # retried when its lease runs out
    for attempt in (2, 3):
        clock.advance(settings.jobs.lease_seconds + 1)
        run_once(settings, clock=clock)
        assert poisoned()[1] == attempt
    status, attempts, error = poisoned()
    assert (status, attempts) == ("failed", settings.jobs.max_attempts) and "RecursionError" in error
    clock.advance(settings.jobs.lease_seconds + 1)
    assert run_once(settings, clock=clock).report("content").failed == 0  # final: not tried again
    db.dispose()


DIES_AFTER_STORIES = """
import asyncio, os, signal, sys
from monitor.config import load_config
from monitor.content.canonical import resolve_canonical
from monitor.jobs.once import open_pipeline
from monitor.jobs.pipeline import run_until_idle

async def main():
    async with open_pipeline(load_config(sys.argv[1])) as (pipeline, _):
        await run_until_idle(pipeline, jobs=("poll", "content", "stories"))
        os.kill(os.getpid(), signal.SIGKILL)  # dies with its stories placed and not yet matched

asyncio.run(main())
"""


def test_a_process_killed_after_placing_stories_and_before_matching_them_alerts_them_on_restart(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    pages = seed_pages()
    seeds = sorted(slug for slug, a in pages.items() if a["is_seed"])
    _only_on_the_news_feed(site, pages, seeds)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    died = subprocess.run([sys.executable, "-c", DIES_AFTER_STORIES, str(config)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert died.returncode == -signal.SIGKILL, died.stderr
    settings = load_config(config)
    db = create_db_engine(settings.database.url)
    with db.connect() as conn:
        placed = conn.scalar(select(articles.c.id).where(articles.c.story_state == "placed").limit(1))
        waiting = conn.execute(select(stories.c.id).where(stories.c.change_seq > stories.c.matched_seq)).all()
    db.dispose()
    assert placed is not None and waiting, "the killed process had placed articles in stories to match"
    assert smtp.messages == []
    restarted = subprocess.run([sys.executable, "-m", "monitor", "once", "-c", str(config)], env=env,
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr
    assert len(smtp.messages) == 2, restarted.stderr  # the seeds' story, once per channel
    assert "stories matched" in restarted.stderr and "0 feeds polled" in restarted.stderr


def test_one_once_polls_every_due_feed_and_delivers_every_due_alert_beyond_their_batch_sizes(
        world: tuple[SiteServer, SmtpSink, Path]) -> None:
    site, smtp, config = world
    pages = seed_pages()
    others = sorted(slug for slug, a in pages.items() if not a["is_seed"])
    _only_on_the_news_feed(site, pages, others)
    # every article alerts (five unrelated stories, two channels); each job takes one item per claim
    (config.parent / "watchlists" / "syria.toml").write_text(
        'channels = ["desk-email", "editor-email"]\nquery = "/./"\n', encoding="utf-8")
    with config.open("a", encoding="utf-8") as fh:
        fh.write("\n[polling]\nbatch_size = 1\n\n[delivery]\nbatch_size = 1\n\n"
                 "[jobs]\ncontent_batch = 1\nstories_batch = 1\nmatch_batch = 1\n")
    result = run_once(load_config(config))
    assert result.report("poll").counts["feeds"] == 3
    assert result.report("content").counts["articles"] == len(others)
    assert result.report("deliver").counts["sent"] == 2 * len(others) == len(smtp.messages)


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages whose text is extracted, in order."""
    urls: list[str] = []
    extract = monitor.content.extract.extract_article

    def counted(page, **kwargs):  # type: ignore[no-untyped-def]
        urls.append(page.url)
        return extract(page, **kwargs)

    monkeypatch.setattr(monitor.content.extract, "extract_article", counted)  # read at use
    return urls


def _page_and_mirrors(site: SiteServer, mirrors: int) -> tuple[FeedItem, list[FeedItem], str]:
    """The English seed published on the site, and `mirrors` entries for the same bytes at other
    addresses: (its entry, theirs, its slug). No feed carries them yet."""
    pages = seed_pages()
    english = next(slug for slug, a in pages.items() if a["is_seed"] and a["language"] == "en")
    [original] = publish(site, pages, [english])
    copies = [FeedItem(original.title, site.url(f"/mirror/{n}/{english}.html"), f"mirror-{n}",
                       original.published) for n in range(mirrors)]
    for copy in copies:
        site.put(copy.link.removeprefix(site.base_url), (SITE / pages[english]["file"]).read_bytes())
    return original, copies, english


def test_copies_are_caught_before_extraction_by_their_link_or_their_bytes(
        world: tuple[SiteServer, SmtpSink, Path], extracted: list[str]) -> None:
    site, _, config = world
    original, [mirror], english = _page_and_mirrors(site, 1)
    site.put("/hindi.rss", rss("first", site.base_url, [original]))
    site.put("/gulf.atom", rss("later", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))
    settings = load_config(config)
    run_once(settings)
    assert extracted == [original.link]
    # another feed carries the same link, a third the same page at another address
    site.put("/gulf.atom", rss("later", site.base_url, [FeedItem(original.title, original.link, "again",
                                                                  original.published), mirror]))
    fetched = len(site.requested(f"/{english}.html"))
    result = run_once(settings, all_feeds=True)
    assert len(site.requested(f"/{english}.html")) == fetched  # the known link is not fetched again
    assert extracted == [original.link]  # the mirror's bytes are known: its text is not extracted again
    content, stories = result.report("content"), result.report("stories")
    # the page names the original's address as its canonical one: the mirror is that article, as it
    # is when the mirror comes first (test below), whichever page was stored first
    assert content.counts == {"articles": 0, "duplicates": 2, "feed_stand_ins": 0}
    assert stories.done == 0
    assert not result.shared.embedder.loaded  # an exact copy needs no model


def test_a_copy_takes_the_canonical_its_bytes_declared_when_first_extracted_without_parsing_them(
        world: tuple[SiteServer, SmtpSink, Path], extracted: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    site, _, config = world
    original, mirrors, _ = _page_and_mirrors(site, 2)
    site.put("/hindi.rss", rss("first", site.base_url, [original]))
    site.put("/gulf.atom", rss("later", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))
    settings = load_config(config)
    run_once(settings)
    db = create_db_engine(settings.database.url)
    with db.connect() as conn:
        [(declared, canonical)] = conn.execute(select(articles.c.declared_canonical,
                                                      articles.c.canonical_url))
    assert declared and resolve_canonical(original.link, declared) == canonical  # kept as the markup says
    parsed: list[str] = []
    parse = monitor.jobs.content.declared_canonical
    monkeypatch.setattr(monitor.jobs.content, "declared_canonical",
                        lambda page: parsed.append(page.url) or parse(page))
    site.put("/gulf.atom", rss("later", site.base_url, mirrors[:1]))
    copies = run_once(settings, all_feeds=True).report("content").counts
    # the mirror is the article its bytes name, read from what was kept: its markup is not parsed
    assert (copies["duplicates"], copies["articles"], parsed) == (1, 0, [])
    with db.begin() as conn:  # as a row stored before the declaration was kept
        conn.execute(update(articles).values(declared_canonical=None))
    site.put("/gulf.atom", rss("later", site.base_url, mirrors))
    copies = run_once(settings, all_feeds=True).report("content").counts
    assert (copies["duplicates"], copies["articles"], parsed) == (1, 0, [mirrors[1].link])
    assert extracted == [original.link]


def test_a_copy_arriving_beside_its_page_waits_for_it_instead_of_extracting_it_too(
        world: tuple[SiteServer, SmtpSink, Path], extracted: list[str]) -> None:
    site, _, config = world
    original, mirrors, _ = _page_and_mirrors(site, 3)
    site.put("/hindi.rss", rss("first", site.base_url, [original, *mirrors]))  # one claim, fetched together
    site.put("/gulf.atom", rss("empty", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))
    result = run_once(load_config(config))
    assert len(extracted) == 1  # whichever page came first; the others waited and took its text
    # the page names its canonical address: the mirrors are that article, not articles of their own
    assert result.report("content").counts == {"articles": 1, "duplicates": 3, "feed_stand_ins": 0}


def test_matching_a_grown_story_again_embeds_only_its_new_articles_for_about(
        world: tuple[SiteServer, SmtpSink, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site, _, config = world
    pages = seed_pages()
    seeds = sorted(slug for slug, a in pages.items() if a["is_seed"])
    (config.parent / "watchlists" / "topic.toml").write_text(
        'channels = ["desk-email"]\nabout = ["Fighting between the SDF and Islamic State at Baghouz"]\n',
        encoding="utf-8")
    site.put("/gulf.atom", rss("empty", site.base_url, []))
    site.put("/stalled.rss", rss("empty", site.base_url, []))
    passages: list[str] = []
    embed = LazyEmbedder.embed

    generic = set(reference_sentences())  # the calibration of `about`, embedded once per process

    def counted(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
        if kind == "passage":
            passages.extend(t for t in texts if t not in generic)
        return embed(self, texts, kind=kind)

    monkeypatch.setattr(LazyEmbedder, "embed", counted)
    settings = load_config(config)
    site.put("/hindi.rss", rss("news", site.base_url, publish(site, pages, seeds[:3])))
    run_once(settings)
    first = list(passages)
    assert first, "the seeds pass the pre-filter: their passages were embedded"
    site.put("/hindi.rss", rss("news", site.base_url, publish(site, pages, seeds)))
    grown = run_once(settings, all_feeds=True)
    assert grown.report("content").counts["articles"] == 2 and grown.report("match").done >= 1
    again = passages[len(first):]
    assert len(again) <= 2 and not set(again) & set(first)  # the story's earlier members: kept vectors


def test_a_job_that_breaks_is_reported_and_its_work_is_done_by_the_next_run(
        world: tuple[SiteServer, SmtpSink, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site, smtp, config = world
    pages = seed_pages()
    seeds = sorted(slug for slug, a in pages.items() if a["is_seed"])
    _only_on_the_news_feed(site, pages, seeds)

    def broken(ctx):  # type: ignore[no-untyped-def]
        raise OSError("disk I/O error")  # what a database on a failing disk says

    monkeypatch.setattr(monitor.jobs.pipeline, "run_match", broken)
    settings = load_config(config)
    first = run_once(settings)
    assert first.report("match").crashed and "disk I/O error" in first.report("match").errors[0]
    assert first.report("stories").done == len(seeds) and smtp.messages == []  # the rest went on
    monkeypatch.undo()
    second = run_once(settings)
    assert not second.report("match").crashed and len(smtp.messages) == 2
