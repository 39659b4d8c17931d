"""`monitor extract PATH_OR_URL...`: the article in a page, one JSON line per input.

Each line is `{"input", "url", "title", "text", "language", "published"}` (`published` ISO 8601 or
null); an input that fails gives `{"input", "error"}` and the others still run (exit code 1).
Files: `.html` and `.html.gz`; other extensions are typed by name, so a PDF is refused as such.
URLs are fetched with the `[http]` settings of `-c CONFIG` when given (timeouts, size cap, user
agent and the private-address guard), else with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import mimetypes
from pathlib import Path

from monitor.cli.common import emit_json
from monitor.content.extract import extract_article
from monitor.content.fetch import fetch_page
from monitor.errors import MonitorError
from monitor.models import Article, Page
from monitor.net.http import HttpFetcher
from monitor.net.settings import HttpSettings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("extract", help="extract the article from pages (files or URLs), JSON Lines out")
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                        help=".html / .html.gz file or http(s) URL")
    parser.add_argument("-c", "--config", default=None,
                        help="config file whose [http] settings to fetch URLs with (default: built-in)")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow URLs on loopback and private networks (refused by default)")
    parser.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    # URLs go through the daemon's own client: the same timeouts, size cap and address guard.
    settings = http_settings(args.config)
    if args.allow_private:
        settings = settings.model_copy(update={"allow_private_addresses": True})
    return asyncio.run(extract_all(args.inputs, settings))


def http_settings(config: str | None) -> HttpSettings:
    if config is None:
        return HttpSettings()
    from monitor.config import load_config

    return load_config(config, channel_secrets=False).http


async def extract_all(inputs: list[str], settings: HttpSettings) -> int:
    failed = 0
    fetcher = HttpFetcher(settings)
    try:
        for item in inputs:
            try:
                page = await fetch_page(fetcher, item) if is_url(item) else read_file(Path(item))
                emit_json({"input": item, **article_fields(extract_article(page))})
            except (MonitorError, OSError) as exc:
                failed += 1
                emit_json({"input": item, "error": str(exc)})
    finally:
        await fetcher.aclose()
    return 1 if failed else 0


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
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise OSError(f"cannot read {path}: {exc.strerror}") from exc
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

