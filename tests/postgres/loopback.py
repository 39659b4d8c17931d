"""Loopback servers for the multi-replica tests: many tiny feeds that log every poll, and a webhook sink.

The feed site records, per feed, when each request started and ended and which replica sent it
(by User-Agent), so a test can tell whether one feed was ever polled twice at the same time. It can
hold the feed requests of one replica until told to let go: that replica is then reliably caught
mid-cycle, holding leases, when the test kills it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from itertools import pairwise
from typing import Any

from monitor.demo.site_server import LoopbackHTTPServer

_FEED_PATH = re.compile(r"^/feeds/(\d+)\.rss$")


@dataclass
class Poll:
    feed: int
    agent: str
    started: float
    ended: float | None = None
    answered: bool = False  # False: held and then abandoned (the client was killed)


def tiny_rss(feed: int, base: str, pages: list[str]) -> bytes:
    """One item per feed, linking to one of a few shared pages (so the same stories come back)."""
    page = pages[feed % len(pages)]
    when = format_datetime(datetime(2019, 2, 13, 9, feed % 60, tzinfo=UTC))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>feed {feed}</title><link>{base}/</link><description>feed {feed}</description>"
        f"<item><title>item of feed {feed}</title><link>{base}/pages/{page}</link>"
        f'<guid isPermaLink="false">feed-{feed}-item</guid><pubDate>{when}</pubDate></item>'
        "</channel></rss>\n"
    ).encode()


class FeedSite:
    """`/feeds/<n>.rss` for n in range(count) and `/pages/<name>` from `pages` (name -> HTML bytes)."""

    def __init__(self, count: int, pages: dict[str, bytes]) -> None:
        self.count, self.pages = count, pages
        self.polls: list[Poll] = []
        self.page_requests = 0
        self.page_requests_by: Counter[str] = Counter()  # by User-Agent (replica)
        self.lock = threading.Lock()
        self.hold_agent: str | None = None  # feed requests from this User-Agent wait for `release`
        self.release = threading.Event()
        self.held = threading.Event()  # set once a request is being held
        self._server = LoopbackHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FeedSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def polls_by_feed(self) -> dict[int, list[Poll]]:
        with self.lock:
            grouped: dict[int, list[Poll]] = defaultdict(list)
            for poll in self.polls:
                grouped[poll.feed].append(poll)
            return dict(grouped)

    def answered_feeds(self) -> set[int]:
        with self.lock:
            return {p.feed for p in self.polls if p.answered}

    def _serve_feed(self, handler: BaseHTTPRequestHandler, feed: int) -> None:
        agent = handler.headers.get("User-Agent", "")
        poll = Poll(feed, agent, time.monotonic())
        with self.lock:
            self.polls.append(poll)
        try:
            if agent == self.hold_agent:
                self.held.set()
                self.release.wait()
                return  # the client is gone by now; answer nothing
            body = tiny_rss(feed, self.base_url, sorted(self.pages))
            _reply(handler, 200, "application/rss+xml; charset=utf-8", body)
            poll.answered = True
        finally:
            poll.ended = time.monotonic()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                match = _FEED_PATH.match(self.path)
                if match and int(match[1]) < site.count:
                    site._serve_feed(self, int(match[1]))
                elif self.path.startswith("/pages/") and self.path[7:] in site.pages:
                    with site.lock:
                        site.page_requests += 1
                        site.page_requests_by[self.headers.get("User-Agent", "")] += 1
                    _reply(self, 200, "text/html; charset=utf-8", site.pages[self.path[7:]])
                else:
                    _reply(self, 404, "text/plain", b"not found")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _reply(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:
        pass  # the poller hung up (killed, or timed out)


class WebhookSink:
    """Accepts every POST with 200 and keeps (path, Idempotency-Key, JSON body)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with sink.lock:
                    sink.received.append((self.path, self.headers.get("Idempotency-Key", ""), body))
                _reply(self, 200, "text/plain", b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = LoopbackHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def messages(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.lock:
            return list(self.received)


def overlapping(polls: list[Poll]) -> bool:
    """True if two requests for the same feed were ever in flight together."""
    spans = sorted((p.started, p.ended if p.ended is not None else float("inf")) for p in polls)
    return any(later_start < earlier_end for (_, earlier_end), (later_start, _) in pairwise(spans))


def wait_until(predicate: Any, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
