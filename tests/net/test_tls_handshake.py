"""A server that accepts the TCP connection and never answers the TLS ClientHello."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from monitor.errors import FetchError
from monitor.net import HttpFetcher, HttpSettings

SETTINGS = HttpSettings(connect_timeout=0.5, read_timeout=1, total_timeout=5,
                        allowed_networks=("127.0.0.0/8",))


@pytest.fixture
def silent_tcp() -> Iterator[int]:
    """A loopback port that accepts connections, reads what comes and never writes a byte."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def fetch(url: str) -> None:
    async def get() -> None:
        fetcher = HttpFetcher(SETTINGS)
        try:
            await fetcher.get(url)
        finally:
            await fetcher.aclose()

    asyncio.run(get())


def test_a_tls_handshake_that_never_completes_is_named_as_such(silent_tcp: int) -> None:
    with pytest.raises(FetchError) as info:
        fetch(f"https://127.0.0.1:{silent_tcp}/feed")
    assert info.value.reason == "TLS handshake timed out after 0.5 s"


def test_plain_http_to_the_same_server_is_a_read_timeout(silent_tcp: int) -> None:
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{silent_tcp}/feed")
    assert info.value.reason == "timed out after 1 s (read)"
