"""Main-text extraction quality on the shared benchmarks (scrapinghub_aeb, daniel).

Runs `extract_article` on every page, writes `<id>.txt` predictions to a temporary folder and lets the
shared scorer (`eval/extraction/score.py`, the Article Extraction Benchmark's shingle F1) judge them.

    python -m bench.extraction [--shared PATH] [--dataset NAME ...] [--keep DIR] [--workers N] [--cpu]

`--titles` also checks the titles: on how many pages the title is one of the ground truth's first three
lines (DAniEL's texts start with the headline; the AEB's do not) and is the text of one of the page's
`<h1>`s. Pages get their real host here (from the ground truth's URL, or DAniEL's id), since the
title's site-name stripping reads it.

`--cpu` also times the extraction in this process, one page after another: CPU ms per page of
`extract_article` next to trafilatura's `bare_extraction` alone (precision mode, no metadata), so the
ratio holds on a busy machine where the absolute figures do not.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from trafilatura import bare_extraction
from trafilatura.utils import load_html

from monitor.content.extract import extract_article
from monitor.content.page_charset import decode_body
from monitor.content.settings import ContentSettings
from monitor.errors import ExtractionError
from monitor.models import Page

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETS = ("scrapinghub_aeb", "daniel")
# Benchmark pages are scored on any text at all, so no minimum length here.
BENCH_SETTINGS = ContentSettings(min_text_chars=0)


def _page(path: Path) -> Page:
    page_id = path.name.removesuffix(".html.gz")
    return Page(url=f"https://example.com/{page_id}", requested_url="", status=200,
                content_type="text/html", body=gzip.decompress(path.read_bytes()))


def _predict(path: Path) -> tuple[str, str, str | None]:
    page_id = path.name.removesuffix(".html.gz")
    page = _page(path)
    try:
        article = extract_article(page, settings=BENCH_SETTINGS)
    except ExtractionError:
        return page_id, "", None
    return page_id, article.text, article.language


def predict_dataset(dataset_dir: Path, out_dir: Path, workers: int) -> tuple[int, int, int, float]:
    """Write predictions; returns (pages, pages with no text, pages whose language was right, seconds)."""
    truth = [json.loads(line) for line in (dataset_dir / "ground_truth.jsonl").read_text().splitlines()
             if line.strip()]
    langs = {row["id"]: row.get("lang") for row in truth}
    paths = [dataset_dir / "html" / f"{row['id']}.html.gz" for row in truth]
    out_dir.mkdir(parents=True, exist_ok=True)
    empty = right_lang = 0
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for page_id, text, language in pool.map(_predict, paths, chunksize=4):
            (out_dir / f"{page_id}.txt").write_text(text, encoding="utf-8")
            empty += not text
            right_lang += language == langs[page_id]
    return len(paths), empty, right_lang, time.perf_counter() - started


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _title_checks(row: dict[str, str]) -> tuple[bool, bool, bool]:
    """(title is a first-3 ground-truth line, the page has an <h1>, title is an <h1>) for one page."""
    path = Path(row["dir"]) / "html" / f"{row['id']}.html.gz"
    host = ".".join(row["id"].split("_")[1:-1])  # DAniEL ids: date_host_with_dots_as_underscores_hash
    page = dataclasses.replace(_page(path), url=row.get("url") or f"http://{host}/{row['id']}")
    try:
        title = _words(extract_article(page, settings=BENCH_SETTINGS).title)
    except ExtractionError:
        title = ""
    first_lines = [_words(line) for line in row["text"].split("\n") if line.strip()][:3]
    tree = load_html(decode_body(page.body, None))
    h1s = [h for h in (_words(e.text_content()) for e in (tree.iter("h1") if tree is not None else [])) if h]
    return bool(title) and title in first_lines, bool(h1s), bool(title) and title in h1s


def title_quality(dataset_dir: Path, workers: int) -> str:
    rows = [{**json.loads(line), "dir": str(dataset_dir)}
            for line in (dataset_dir / "ground_truth.jsonl").read_text().splitlines() if line.strip()]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        checks = list(pool.map(_title_checks, rows, chunksize=4))
    first, with_h1, is_h1 = (sum(column) for column in zip(*checks, strict=True))
    return (f"titles: {first}/{len(rows)} are one of the ground truth's first 3 lines; "
            f"{is_h1}/{with_h1} pages with an <h1> have one as title")


def _ours(page: Page) -> None:
    with contextlib.suppress(ExtractionError):
        extract_article(page, settings=BENCH_SETTINGS)


def _trafilatura_alone(page: Page) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bare_extraction(load_html(decode_body(page.body, page.charset)), url=page.url, favor_precision=True,
                        include_comments=False, with_metadata=False)


def cpu_ms_per_page(dataset_dir: Path, rounds: int = 2) -> tuple[float, float]:
    """CPU ms per page of extract_article and of bare_extraction alone, best of `rounds` (after a warm-up)."""
    pages = [_page(path) for path in sorted((dataset_dir / "html").glob("*.html.gz"))]

    def best(run: Callable[[Page], None]) -> float:
        times = []
        for _ in range(rounds):
            started = time.process_time()
            for page in pages:
                run(page)
            times.append(time.process_time() - started)
        return 1000 * min(times) / len(pages)

    for page in pages[:5]:
        _ours(page)
    return best(_ours), best(_trafilatura_alone)


def score(scorer: Path, dataset_dir: Path, pred_dir: Path, extra: list[str]) -> None:
    command = [sys.executable, str(scorer), str(dataset_dir), str(pred_dir), *extra]
    print(f"$ {shlex.join(command)}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    print(result.stdout.rstrip(), flush=True)
    if result.returncode:
        print(result.stderr.rstrip(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--dataset", action="append", choices=DATASETS)
    parser.add_argument("--keep", type=Path, help="write predictions here instead of a temporary folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cpu", action="store_true", help="also time extraction per page, in this process")
    parser.add_argument("--titles", action="store_true", help="also check the titles")
    args = parser.parse_args(argv)
    root = args.shared / "eval" / "extraction"
    scorer = root / "score.py"
    if not scorer.exists():
        print(f"no scorer at {scorer}; pass --shared PATH", file=sys.stderr)
        return 2
    print(f"# command: python -m bench.extraction {shlex.join(argv if argv is not None else sys.argv[1:])}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.dataset or DATASETS:
            pred_dir = (args.keep or Path(tmp)) / name
            pages, empty, right_lang, seconds = predict_dataset(root / name, pred_dir, args.workers)
            print(f"\n## {name}: {pages} pages, {empty} with no text extracted, "
                  f"language right on {right_lang}/{pages}; {seconds:.1f} s wall with {args.workers} "
                  f"worker(s), {1000 * seconds * args.workers / pages:.0f} ms/page", flush=True)
            if args.titles:
                print(title_quality(root / name, args.workers), flush=True)
            if args.cpu:
                ours, alone = cpu_ms_per_page(root / name)
                print(f"CPU: extract_article {ours:.1f} ms/page, trafilatura bare_extraction alone "
                      f"{alone:.1f} ms/page ({ours / alone:.2f}x)", flush=True)
            score(scorer, root / name, pred_dir, [])
            score(scorer, root / name, pred_dir, ["--tokenizer", "unicode"])
            if name == "daniel":
                score(scorer, root / name, pred_dir, ["--by-lang"])
                score(scorer, root / name, pred_dir, ["--by-lang", "--tokenizer", "unicode"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
