"""The loopback site of bench.poll_peers: N feeds of M entries that never change, on many ports.

Every feed answers 200 with its full body, an ETag and a Last-Modified, or 304 Not Modified to a
request that sends one of them back (If-None-Match first, as RFC 9110 says). Entry links point at
127.0.0.2, which nobody fetches (the bench's config refuses that address). The server keeps a log
of the requests it answered: GET /_log returns its summary as JSON and starts a new one, so the
bench can show that each tool fetched every feed, and with which answers.

Run: python -m bench._peer_feeds --feeds 1000 --entries 20 --hosts 100   (prints the ports first)
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bench.feed_server import serve

LAST_MODIFIED = "Mon, 01 Dec 2025 08:00:00 GMT"
_PUBLISHED = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
_WORDS = ("council", "harbour", "vote", "storm", "market", "treaty", "festival", "rail", "budget", "court",
          "river", "election", "strike", "museum", "vaccine", "bridge", "summit", "drought", "league", "port")


def feed_body(i: int, entries: int) -> bytes:
    items = []
    for k in range(entries):
        words = " ".join(_WORDS[(i * 7 + k * 3 + n) % len(_WORDS)] for n in range(6))
        link = f"http://127.0.0.2/a/{i}/{k}"
        published = format_datetime(_PUBLISHED - timedelta(hours=k, minutes=i % 60), usegmt=True)
        items.append(
            f"<item><title>Feed {i}, story {k}: {words}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><pubDate>{published}</pubDate>'
            f"<description>&lt;p&gt;The {words} story, as reported by site {i}. It goes on for a "
            f"while about the {words}, quoting people on the {_WORDS[k]} and the "
            f"{_WORDS[i % len(_WORDS)]}, before it ends.&lt;/p&gt;</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Site {i}</title>'
            f"<link>http://127.0.0.2/{i}/</link><description>News from site {i}</description>"
            f"{''.join(items)}</channel></rss>\n").encode()


class StaticSite:
    def __init__(self, feeds: int, entries: int) -> None:
        self.bodies = [feed_body(i, entries) for i in range(feeds)]
        self.log: list[tuple[str, int, bool]] = []  # (path, status, conditional)

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, float]:
        if path == "/_log":
            return 200, {"Content-Type": "application/json"}, self.summary(), 0.0
        try:
            i = int(path.removeprefix("/feed/"))
            body = self.bodies[i]
        except (ValueError, IndexError):
            self.log.append((path, 404, False))
            return 404, {}, b"not here", 0.0
        etag = f'"feed-{i}-v1"'
        conditional = "if-none-match" in headers or "if-modified-since" in headers
        if "if-none-match" in headers:
            fresh = etag in (tag.strip() for tag in headers["if-none-match"].split(","))
        else:
            fresh = headers.get("if-modified-since") == LAST_MODIFIED
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        self.log.append((path, 304 if fresh else 200, conditional))
        if fresh:
            return 304, validators, b"", 0.0
        return 200, validators, body, 0.0

    def summary(self) -> bytes:
        """What was asked since the last summary: requests, distinct feeds, answers, conditional ones."""
        log, self.log = self.log, []
        feeds = {path for path, status, _ in log if status != 404}
        statuses = Counter(status for _, status, _ in log)
        return json.dumps({"requests": len(log), "feeds": len(feeds),
                           "statuses": {str(k): v for k, v in sorted(statuses.items())},
                           "conditional": sum(conditional for *_, conditional in log),
                           "other_paths": sorted({p for p, s, _ in log if s == 404})[:5]}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(serve(StaticSite(args.feeds, args.entries), args.hosts))


if __name__ == "__main__":
    main()
