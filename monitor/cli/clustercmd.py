"""`monitor similarity` and `monitor cluster`: the story engine on JSON Lines, no database or config file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from monitor.clock import FakeClock
from monitor.content.language import detect_language, normalize_lang
from monitor.errors import ConfigError
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import EMBEDDERS, load_embedder
from monitor.stories.embedding import embed_batches, split_vectors
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser("similarity", help="score article pairs (JSON Lines in and out)")
    sim.add_argument("pairs", help="JSONL with id1, id2, title1, text1, title2, text2 [lang1, lang2, "
                                   "published1, published2]; '-' for stdin")
    _model_options(sim)
    sim.set_defaults(func=run_similarity)
    clu = subparsers.add_parser("cluster", help="group articles into stories (JSON Lines in and out)")
    clu.add_argument("articles", help="JSONL with id, title, text [lang, published, url]; '-' for stdin")
    _model_options(clu)
    clu.add_argument("--window-days", type=float, default=None, help="story window (default 3)")
    clu.set_defaults(func=run_cluster)


def _model_options(parser: argparse.ArgumentParser) -> None:
    defaults = StorySettings()
    parser.add_argument("--embedder", default=defaults.embedder, choices=sorted(EMBEDDERS))
    parser.add_argument("--model", default=None, help="sentence-transformers model name or path")
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--threshold", type=float, default=None, help="override the shipped threshold")
    parser.add_argument("--coefficients", default=None, help="a refitted coefficients JSON")


def _settings(args: argparse.Namespace) -> StorySettings:
    extra = {"window_days": args.window_days} if getattr(args, "window_days", None) else {}
    return StorySettings(embedder=args.embedder, model=args.model, threads=args.threads,
                         batch_size=args.batch_size, threshold=args.threshold,
                         coefficients=args.coefficients, **extra)


def _records(path: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, record) per non-empty line; None (after a message on stderr) for a bad line."""
    try:
        fh: TextIO = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=path) from exc
    with fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                missing = [k for k in required if k not in record]
                if not isinstance(record, dict) or missing:
                    raise ValueError(f"missing {', '.join(missing)}")
            except ValueError as exc:
                print(f"monitor: {path}:{number}: skipped: {exc}", file=sys.stderr)
                yield number, None
                continue
            yield number, record


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _language(given: Any, title: str, text: str) -> str | None:
    """The language the record gives (normalised: 'ar-SA' -> 'ar'), else the daemon's detection."""
    return normalize_lang(str(given)) if given else detect_language(f"{title}\n{text}")


def run_similarity(args: argparse.Namespace) -> int:
    settings = _settings(args)
    embedder = load_embedder(settings)
    similarity = load_similarity(embedder.name, settings.coefficients, settings.threshold)
    rows = [(n, r) for n, r in _records(args.pairs, ("id1", "id2", "title1", "text1", "title2", "text2"))]
    good = [r for _, r in rows if r is not None]
    sides = [(str(r[f"title{s}"] or ""), str(r[f"text{s}"] or "")) for r in good for s in (1, 2)]
    unique = list(dict.fromkeys(sides))
    both = article_vectors(unique, similarity.lead_chars,
                           lambda texts: embed_batches(embedder, texts, settings.batch_size))
    leads, titles = split_vectors(both, embedder.dim)
    assert titles is not None  # article_vectors always gives both parts
    vectors, title_vectors = similarity.centre(leads), similarity.centre(titles, titles=True)
    row_of = {side: i for i, side in enumerate(unique)}
    for n, record in enumerate(good):
        sig = []
        for s in (1, 2):
            title, text = sides[2 * n + s - 1]
            lang = _language(record.get(f"lang{s}"), title, text)
            sig.append(similarity.signals(title, text, lang, _date(record.get(f"published{s}"))))
        one, two = row_of[sides[2 * n]], row_of[sides[2 * n + 1]]
        value = similarity.score(sig[0], sig[1], float(vectors[one] @ vectors[two]),
                                 float(title_vectors[one] @ title_vectors[two]))
        print(json.dumps({"id1": record["id1"], "id2": record["id2"], "similarity": round(value, 4),
                          "same_story": value >= similarity.threshold}), flush=False)
    sys.stdout.flush()
    return 0 if len(good) == len(rows) else 1


def run_cluster(args: argparse.Namespace) -> int:
    settings = _settings(args)
    embedder = load_embedder(settings)
    rows = list(_records(args.articles, ("id", "title", "text")))
    good = [r for _, r in rows if r is not None]
    items = [ArticleInput(str(r["title"] or ""), str(r["text"] or ""),
                          _language(r.get("lang"), str(r["title"] or ""), str(r["text"] or "")),
                          _date(r.get("published")), str(r.get("url") or "")) for r in good]
    # The clock follows the stream's dates (undated articles take the latest date seen), so an archive
    # clusters as it would have live; without any dates the window never moves.
    dates = [i.published for i in items if i.published is not None]
    clock = FakeClock(min(dates) if dates else datetime.now(UTC))
    engine = StoryEngine(settings, embedder, clock)
    story_of: list[int] = []  # engine story id per article; a new story takes its first article's index
    merged_into: dict[int, int] = {}
    start = time.monotonic()
    for begin in range(0, len(items), settings.batch_size):
        chunk = items[begin:begin + settings.batch_size]
        todo = [begin + n for n, needed in enumerate(engine.needs_vectors(chunk)) if needed]
        vectors = dict(zip(todo, engine.embed([items[i] for i in todo]), strict=True))
        for i in range(begin, begin + len(chunk)):
            if items[i].published is not None and items[i].published > clock.now():
                clock.set(items[i].published)
            assignment = engine.assign(items[i], vectors.get(i))
            story_id = assignment.story_id if assignment.story_id is not None else i
            engine.commit(i, story_id, items[i], assignment)
            for other in assignment.also:  # this article bridges stories: they are one
                engine.merge(story_id, other)
                merged_into[other] = story_id
            story_of.append(story_id)
        rate = len(story_of) / max(time.monotonic() - start, 1e-9)
        print(f"clustered {len(story_of)}/{len(items)} articles, {len(engine)} stories in window, "
              f"{rate:.1f} articles/s", file=sys.stderr)
    for record, label in zip(good, _labels(story_of, merged_into, [r["id"] for r in good]), strict=True):
        print(json.dumps({"id": record["id"], "story": label}))
    return 0 if len(good) == len(rows) else 1


def _labels(story_of: list[int], merged_into: dict[int, int], ids: list[Any]) -> list[Any]:
    """Each article's story, named by the id of the story's first article (merges followed)."""

    def final(story: int) -> int:
        while story in merged_into:
            story = merged_into[story]
        return story

    first: dict[int, int] = {}
    for index, story in enumerate(story_of):
        first.setdefault(final(story), index)
    return [ids[first[final(story)]] for story in story_of]
