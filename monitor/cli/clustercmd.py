"""`monitor similarity` and `monitor cluster`: the story engine on JSON Lines, no database.

`-c CONFIG` takes the `[stories]` settings (embedder, model, threads, ...) from a config file; the
options given on the command line win over it. Progress goes to stderr on a terminal only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from monitor.cli.common import Progress, emit_json
from monitor.clock import FakeClock
from monitor.content.language import detect_language, normalize_lang
from monitor.errors import ConfigError
from monitor.models import StoredArticle
from monitor.stories import fingerprint
from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import EMBEDDERS, load_embedder
from monitor.stories.embedding import embed_batches, split_vectors
from monitor.stories.settings import StorySettings
from monitor.stories.similarity import load_similarity
from monitor.stories.window import MemoryStore, NotPlaced, Placed, StoryWindow


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
    clu.add_argument("--reach-days", type=float, default=None,
                     help="a story idle past the window takes a strong fit until then (default 14)")
    clu.set_defaults(func=run_cluster)


def _model_options(parser: argparse.ArgumentParser) -> None:
    defaults = StorySettings()
    parser.add_argument("-c", "--config", default=None, help="config file whose [stories] settings to use")
    parser.add_argument("--embedder", default=None, choices=sorted(EMBEDDERS),
                        help=f"default: the config's, else {defaults.embedder}")
    parser.add_argument("--model", default=None, help="sentence-transformers model name or path")
    parser.add_argument("--threads", type=int, default=None, help=f"default {defaults.threads}")
    parser.add_argument("--batch-size", type=int, default=None, help=f"default {defaults.batch_size}")
    parser.add_argument("--threshold", type=float, default=None, help="override the shipped threshold")
    parser.add_argument("--coefficients", default=None, help="a refitted coefficients JSON")


def _settings(args: argparse.Namespace) -> StorySettings:
    """The config's [stories] (or the defaults), with what the command line gives on top."""
    base = StorySettings()
    if args.config:
        from monitor.config import load_config

        base = load_config(args.config, channel_secrets=False).stories
    given = {"embedder": args.embedder, "model": args.model, "threads": args.threads,
             "batch_size": args.batch_size, "threshold": args.threshold, "coefficients": args.coefficients,
             "window_days": getattr(args, "window_days", None),
             "reach_days": getattr(args, "reach_days", None)}
    chosen = {k: v for k, v in given.items() if v is not None}
    return StorySettings.model_validate({**base.model_dump(), **chosen})


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
    with Progress("texts embedded", 2 * len(unique)) as progress:  # titles, then leads
        both = article_vectors(unique, similarity.lead_chars,
                               lambda texts: embed_batches(embedder, texts, settings.batch_size,
                                                           on_batch=progress.advance))
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
    output, order = _StoryLines(), _TimeOrder(args.articles)
    window: StoryWindow | None = None
    store, clock = MemoryStore(), FakeClock()
    bad = 0
    start = time.monotonic()
    progress = Progress.over_records("articles", args.articles)
    for batch in _batches(_records(args.articles, ("id", "title", "text")), settings.batch_size):
        bad += sum(1 for _, r in batch if r is None)
        rows = [(n, r) for n, r in batch if r is not None]
        articles = [_stored(output.placed + k, r) for k, (_, r) in enumerate(rows)]
        if window is None:
            # The clock follows the stream's dates (undated articles take the latest date seen), so an
            # archive clusters as it would have live; without any dates the window never moves.
            dates = [a.published for a in articles if a.published is not None]
            clock.set(min(dates) if dates else datetime.now(UTC))
            window = StoryWindow(settings, embedder, clock)
        vectors = window.vectors_for(articles)  # one model call per batch; then article by article, in time
        for (line, record), article in zip(rows, articles, strict=True):
            order.check(line, article.published)
            if article.published is not None and article.published > clock.now():
                clock.set(article.published)
            vector = vectors.get(article.article_id)
            result = window.place_batch(store, [replace(article, vector=vector, vector_model=window.model)
                                                if vector else article])[0]
            if isinstance(result, NotPlaced):
                raise ConfigError(f"line {line}: article {record['id']!r}: {result.error}",
                                  file=args.articles)
            output.place(record["id"], result)
        rate = output.placed / max(time.monotonic() - start, 1e-9)
        progress.advance(len(batch), f"{len(window)} stories in window, {rate:.1f} articles/s")
    progress.close()
    print(f"clustered {output.placed} articles into {output.stories} stories", file=sys.stderr)
    order.report()
    return 0 if bad == 0 else 1


def _stored(index: int, record: dict[str, Any]) -> StoredArticle:
    title, text = str(record["title"] or ""), str(record["text"] or "")
    published = _date(record.get("published"))
    text_hash, simhash = fingerprint.keys(title, text)  # once, as the content stage does for the daemon
    return StoredArticle(article_id=index, story_id=None, title=title, text=text,
                         language=_language(record.get("lang"), title, text), published=published,
                         fetched=published or datetime.now(UTC), text_hash=text_hash, simhash=simhash,
                         vector=None)


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


class _StoryLines:
    """One JSON line per placed article, written at once; a story is named by the id of its first
    article. A merge writes the articles of the story folded away again (a reader keeps the last line
    of an id)."""

    def __init__(self) -> None:
        self.placed = 0
        self._label: dict[int, Any] = {}  # window story id -> the id of its first article
        self._ids: dict[int, list[Any]] = {}  # window story id -> ids of its articles

    @property
    def stories(self) -> int:
        return len(self._ids)

    def place(self, article_id: Any, placed: Placed) -> None:
        label = self._label.setdefault(placed.story_id, article_id)
        self._ids.setdefault(placed.story_id, []).append(article_id)
        self.placed += 1
        line: dict[str, Any] = {"id": article_id, "story": label, "reason": placed.reason,
                                "score": round(placed.score, 4)}
        if placed.reason == "similar":
            line["shared"] = list(placed.shared)
        emit_json(line)
        for other in placed.merged:  # this article shows the two stories to be one event
            moved = self._ids.pop(other, [])
            self._label.pop(other, None)
            self._ids[placed.story_id].extend(moved)
            for moved_id in moved:
                emit_json({"id": moved_id, "story": label, "reason": "merged", "via": article_id})


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
