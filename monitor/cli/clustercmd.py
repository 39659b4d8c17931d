"""`monitor similarity` and `monitor cluster`: the story engine on JSON Lines, no database or config file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from monitor.cli.common import emit_json
from monitor.clock import FakeClock
from monitor.content.language import detect_language, normalize_lang
from monitor.errors import ConfigError
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import EMBEDDERS, load_embedder
from monitor.stories.embedding import embed_batches, split_vectors
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput, Assignment
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    """Place each article as it is read and write its line at once (flushed): a long run can be
    followed, and a killed one keeps what it placed. A merge writes the merged articles again with
    their new story (a reader keeps the last line of an id)."""
    settings = _settings(args)
    embedder = load_embedder(settings)
    output = _StoryLines()
    order = _TimeOrder(args.articles)
    engine: StoryEngine | None = None
    clock = FakeClock()
    bad = 0
    start = time.monotonic()
    for batch in _batches(_records(args.articles, ("id", "title", "text")), settings.batch_size):
        bad += sum(1 for _, r in batch if r is None)
        rows = [(n, r) for n, r in batch if r is not None]
        items = [_article_input(r) for _, r in rows]
        if engine is None:
            # The clock follows the stream's dates (undated articles take the latest date seen), so an
            # archive clusters as it would have live; without any dates the window never moves.
            dates = [i.published for i in items if i.published is not None]
            clock.set(min(dates) if dates else datetime.now(UTC))
            engine = StoryEngine(settings, embedder, clock)
        _place_batch(engine, clock, rows, items, output, order)
        rate = output.placed / max(time.monotonic() - start, 1e-9)
        print(f"clustered {output.placed} articles, {len(engine)} stories in window, {rate:.1f} articles/s",
              file=sys.stderr)
    order.report()
    return 0 if bad == 0 else 1


def _place_batch(engine: StoryEngine, clock: FakeClock, rows: list[tuple[int, dict[str, Any]]],
                 items: list[ArticleInput], output: _StoryLines, order: _TimeOrder) -> None:
    todo = [n for n, needed in enumerate(engine.needs_vectors(items)) if needed]
    vectors = dict(zip(todo, engine.embed([items[n] for n in todo]), strict=True))
    for n, ((line, record), item) in enumerate(zip(rows, items, strict=True)):
        order.check(line, item.published)
        if item.published is not None and item.published > clock.now():
            clock.set(item.published)
        assignment = engine.assign(item, vectors.get(n))
        index = output.placed
        story_id = assignment.story_id if assignment.story_id is not None else index
        engine.commit(index, story_id, item, assignment)
        output.place(record["id"], story_id, assignment)
        for other in assignment.also:  # this article shows the two stories to be one event
            engine.merge(story_id, other)
            output.merge(story_id, other, record["id"])


def _batches(records: Iterator[tuple[int, dict[str, Any] | None]], size: int
             ) -> Iterator[list[tuple[int, dict[str, Any] | None]]]:
    batch: list[tuple[int, dict[str, Any] | None]] = []
    for entry in records:
        batch.append(entry)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _article_input(record: dict[str, Any]) -> ArticleInput:
    title, text = str(record["title"] or ""), str(record["text"] or "")
    language = _language(record.get("lang"), title, text)
    return ArticleInput(title, text, language, _date(record.get("published")), str(record.get("url") or ""))


class _StoryLines:
    """One JSON line per placed article; a story is named by the id of its first article."""

    def __init__(self) -> None:
        self.placed = 0
        self._label: dict[int, Any] = {}  # engine story id -> the id of its first article
        self._ids: dict[int, list[Any]] = {}  # engine story id -> ids of its articles

    def place(self, article_id: Any, story_id: int, assignment: Assignment) -> None:
        label = self._label.setdefault(story_id, article_id)
        self._ids.setdefault(story_id, []).append(article_id)
        self.placed += 1
        line: dict[str, Any] = {"id": article_id, "story": label, "reason": assignment.reason,
                                "score": round(assignment.score, 4)}
        if assignment.reason == "similar":
            line["shared"] = list(assignment.shared)
        emit_json(line)

    def merge(self, story_id: int, other: int, via: Any) -> None:
        moved = self._ids.pop(other, [])
        self._label.pop(other, None)
        self._ids.setdefault(story_id, []).extend(moved)
        for article_id in moved:
            emit_json({"id": article_id, "story": self._label[story_id], "reason": "merged", "via": via})


class _TimeOrder:
    """Notes articles published before one read earlier: the story window follows the latest date."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._latest: datetime | None = None
        self._late = 0
        self._first: str | None = None

    def check(self, line: int, published: datetime | None) -> None:
        if published is None:
            return
        if self._latest is not None and published < self._latest:
            self._late += 1
            if self._first is None:
                self._first = f"line {line}: {published.isoformat()} after {self._latest.isoformat()}"
                print(f"monitor: {self._path}:{line}: not in time order (published {published.isoformat()} "
                      f"after an article of {self._latest.isoformat()}); the story window follows the latest "
                      "date", file=sys.stderr)
        self._latest = published if self._latest is None else max(self._latest, published)

    def report(self) -> None:
        if self._late:
            print(f"monitor: {self._path}: {self._late} articles not in time order (first: {self._first})",
                  file=sys.stderr)
