"""Fixtures for the service tests: a migrated engine and a TCP proxy that can cut a database off."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from monitor.storage.tables import articles, feeds, outbox, stories, story_matches

SEED_NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `stop()` drops every connection, `start()` listens again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.stall = False  # accept connections but never answer (a black-holed server)
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))  # the same port again after a stop
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening (Linux).
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # listener closed
            if self.stall:
                with self._lock:
                    self._conns.append(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def tcp_proxy() -> Iterator[type[TcpProxy]]:
    made: list[TcpProxy] = []

    class Tracked(TcpProxy):
        def __init__(self, target: tuple[str, int]) -> None:
            super().__init__(target)
            made.append(self)

    yield Tracked
    for proxy in made:
        proxy.stop()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def seeded_stories(engine: Engine) -> dict[str, int]:
    """Stories old (30 days), flood (alerted, matched, sent) and quake, two articles each."""
    with engine.begin() as conn:
        feed = conn.execute(insert(feeds).values(
            name="wire", url="http://127.0.0.1/f", tags=[], next_check_at=SEED_NOW, created_at=SEED_NOW,
        )).inserted_primary_key[0]
        ids = {}
        for name, seen, alerted in (("old", SEED_NOW - timedelta(days=30), False),
                                    ("flood", SEED_NOW - timedelta(hours=3), True),
                                    ("quake", SEED_NOW - timedelta(hours=1), False)):
            ids[name] = conn.execute(insert(stories).values(
                title=f"{name} story", first_seen_at=seen, last_seen_at=seen, article_count=2,
                languages=["ar", "en"], sources=["wire"], alerted=alerted)).inserted_primary_key[0]
            for lang in ("en", "ar"):
                conn.execute(insert(articles).values(
                    canonical_url=f"http://127.0.0.1/{name}-{lang}", url=f"http://127.0.0.1/{name}-{lang}",
                    feed_id=feed, source="wire", title=f"{name} {lang}", text="…", language=lang,
                    fetched_at=seen, text_hash=f"{name}{lang}", story_id=ids[name], story_reason="similar",
                    story_score=0.9))
        conn.execute(insert(story_matches).values(story_id=ids["flood"], watchlist="floods", score=2.5,
                                                  explanation=[{"term": "flood"}], matched_at=SEED_NOW))
        conn.execute(insert(outbox).values(
            story_id=ids["flood"], watchlist="floods", channel="ops-mail", state="sent", attempts=1,
            next_attempt_at=SEED_NOW, message_id="<1@x>", payload={}, created_at=SEED_NOW,
            sent_at=SEED_NOW))
    return ids
