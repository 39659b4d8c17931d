"""`monitor extract PATH_OR_URL...`: the article in a page, one JSON line per input.

Each line is `{"input", "url", "title", "text", "language", "published"}` (`published` ISO 8601 or
null); an input that fails gives `{"input", "error"}` and the others still run (exit code 1).
Files: `.html` and `.html.gz`; other extensions are typed by name, so a PDF is refused as such.
"""

from __future__ import annotations

import argparse
import gzip
import json
import mimetypes
import sys
from pathlib import Path

import httpx

from monitor.content.extract import extract_article
from monitor.errors import FetchError, MonitorError
from monitor.models import Article, Page

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
USER_AGENT = "news-monitor/0.1 (+extract)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("extract", help="extract the article from pages (files or URLs), JSON Lines out")
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                        help=".html / .html.gz file or http(s) URL")
    parser.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    failed = 0
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True,
                      headers={"User-Agent": USER_AGENT}) as client:
        for item in args.inputs:
            try:
                page = fetch_url(client, item) if is_url(item) else read_file(Path(item))
                emit_json({"input": item, **article_fields(extract_article(page))})
            except (MonitorError, OSError) as exc:
                failed += 1
                emit_json({"input": item, "error": str(exc)})
    return 1 if failed else 0


def emit_json(obj: dict[str, str | None]) -> None:
    # not monitor.cli.common.emit_json: that module pulls in the whole config tree, which extract never needs
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def article_fields(article: Article) -> dict[str, str | None]:
    return {
        "url": article.canonical_url,
        "title": article.title,
        "text": article.text,
        "language": article.language,
        "published": article.published.isoformat() if article.published else None,
    }


def is_url(item: str) -> bool:
    return item.lower().startswith(("http://", "https://"))


def read_file(path: Path) -> Page:
    """A local page; `.gz` files are decompressed and typed by the name under the `.gz`."""
    body = path.read_bytes()
    name = path.name
    if name.lower().endswith(".gz"):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise OSError(f"{path}: not a valid gzip file ({exc})") from exc
        name = name[:-3]
    content_type = mimetypes.guess_type(name)[0] or ""
    url = path.resolve().as_uri()
    return Page(url=url, requested_url=url, status=200, content_type=content_type, body=body)


def fetch_url(client: httpx.Client, url: str) -> Page:
    """GET with a size cap; any non-2xx answer or transport failure is a FetchError naming the URL."""
    try:
        with client.stream("GET", url) as response:
            if not response.is_success:
                raise FetchError(url, f"HTTP {response.status_code}", status=response.status_code)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(url, f"body larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            return Page(url=str(response.url), requested_url=url, status=response.status_code,
                        content_type=content_type.split(";")[0].strip().lower(), body=b"".join(chunks),
                        charset=response.charset_encoding)
    except httpx.HTTPError as exc:
        raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
