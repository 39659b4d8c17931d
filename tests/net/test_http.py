from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import brotli
import pytest

from monitor.errors import BlockedAddressError, FetchError
from monitor.net import HttpFetcher, HttpResponse, HttpSettings
from tests.faults.server import FaultServer, Request

T = TypeVar("T")
SETTINGS = HttpSettings(connect_timeout=1, read_timeout=1, write_timeout=1, pool_timeout=2, total_timeout=3,
                        allowed_networks=("127.0.0.0/8",))


def run(settings: HttpSettings, job: Callable[[HttpFetcher], Awaitable[T]]) -> T:
    async def main() -> T:
        fetcher = HttpFetcher(settings)
        try:
            return await job(fetcher)
        finally:
            await fetcher.aclose()

    return asyncio.run(main())


def fetch(url: str, settings: HttpSettings = SETTINGS, **kwargs: int) -> HttpResponse:
    return run(settings, lambda f: f.get(url, **kwargs))


def test_redirect_hops_are_recorded_and_user_agent_sent(fault_server: FaultServer) -> None:
    fault_server.routes["/a"] = lambda r: r.respond(301, b"", {"Location": "/b"}, content_type=None)
    fault_server.routes["/b"] = lambda r: r.respond(302, b"", {"Location": fault_server.url("/c")})
    fault_server.routes["/c"] = lambda r: r.respond(200, b"done", {"X-Thing": "1"}, content_type="text/plain")
    response = fetch(fault_server.url("/a"))
    assert response.status == 200 and response.body == b"done"
    assert response.url == fault_server.url("/c")
    assert response.redirects == ((301, fault_server.url("/b")), (302, fault_server.url("/c")))
    assert response.headers["x-thing"] == "1" and response.content_type == "text/plain"
    assert all(h["user-agent"] == SETTINGS.user_agent for h in fault_server.requests_to("/a"))


@pytest.mark.parametrize("coding, encode", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress),
])
def test_content_encodings_are_decoded(fault_server: FaultServer, coding: str,
                                       encode: Callable[[bytes], bytes]) -> None:
    payload = ("<rss>" + "é" * 5000 + "</rss>").encode()
    fault_server.routes["/z"] = lambda r: r.respond(200, encode(payload), {"Content-Encoding": coding})
    assert fetch(fault_server.url("/z")).body == payload


def test_cap_counts_decoded_bytes(fault_server: FaultServer) -> None:
    small = gzip.compress(b"a" * 3_000_000)
    assert len(small) < 1_000_000
    fault_server.routes["/z"] = lambda r: r.respond(200, small, {"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="body exceeds 1000000 bytes"):
        fetch(fault_server.url("/z"), max_bytes=1_000_000)


def test_declared_length_over_cap_is_refused(fault_server: FaultServer) -> None:
    fault_server.routes["/big"] = lambda r: r.respond(200, b"x" * 5000)
    with pytest.raises(FetchError, match=r"Content-Length 5000"):
        fetch(fault_server.url("/big"), max_bytes=1000)


def test_brotli_bomb_costs_at_most_the_cap_in_memory(fault_server: FaultServer) -> None:
    bomb = brotli.compress(b"\0" * (128 * 1024 * 1024), quality=5)
    fault_server.routes["/bomb"] = lambda r: r.respond(200, bomb, {"Content-Encoding": "br"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="body exceeds"):
            fetch(fault_server.url("/bomb"), max_bytes=4 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024  # the bomb is 128 MB decoded


def test_hostname_resolving_to_loopback_is_refused_before_connecting(fault_server: FaultServer) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, b"secret")
    strict = HttpSettings(connect_timeout=1, read_timeout=1, total_timeout=3)
    with pytest.raises(BlockedAddressError, match="is a loopback address"):
        fetch(f"http://localhost:{fault_server.port}/feed", strict)
    assert fault_server.seen == []  # the guard refused before any connection


def test_redirect_to_blocked_address_is_refused(fault_server: FaultServer) -> None:
    fault_server.routes["/go"] = lambda r: r.respond(302, b"", {"Location": "http://[::ffff:10.0.0.1]/x"})
    with pytest.raises(BlockedAddressError, match=r"blocked: 10\.0\.0\.1 is a private address"):
        fetch(fault_server.url("/go"))


def test_private_addresses_can_be_allowed_explicitly(fault_server: FaultServer) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, b"ok")
    permissive = HttpSettings(allow_private_addresses=True, total_timeout=3)
    assert fetch(f"http://localhost:{fault_server.port}/feed", permissive).body == b"ok"


def test_http_errors_carry_status_and_retry_after(fault_server: FaultServer) -> None:
    fault_server.routes["/busy"] = lambda r: r.respond(429, b"", {"Retry-After": "120"})
    with pytest.raises(FetchError) as info:
        fetch(fault_server.url("/busy"))
    assert info.value.status == 429 and info.value.retry_after == 120
    assert info.value.reason == "HTTP 429 Too Many Requests"


def test_connection_refused_reads_well() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{port}/feed")
    assert info.value.reason == "connection refused"


def test_per_host_limit_caps_concurrent_requests(fault_server: FaultServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(r: Request) -> None:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        r.respond(200, b"ok")

    fault_server.routes["/slow"] = slow

    async def many(f: HttpFetcher) -> list[HttpResponse]:
        return await asyncio.gather(*(f.get(fault_server.url(f"/slow?{i}")) for i in range(6)))

    responses = run(SETTINGS, many)
    assert [r.body for r in responses] == [b"ok"] * 6
    assert state["peak"] == SETTINGS.per_host_limit


def test_one_fetcher_survives_a_new_event_loop(fault_server: FaultServer) -> None:
    fault_server.routes["/x"] = lambda r: (time.sleep(0.05), r.respond(200, b"ok"))[-1]  # type: ignore[func-returns-value]
    fetcher = HttpFetcher(SETTINGS)

    async def burst() -> list[bytes]:
        responses = await asyncio.gather(*(fetcher.get(fault_server.url(f"/x?{i}")) for i in range(5)))
        return [r.body for r in responses]

    assert asyncio.run(burst()) == [b"ok"] * 5  # contended: semaphores bind to this loop
    assert asyncio.run(burst()) == [b"ok"] * 5
    asyncio.run(fetcher.aclose())


def test_keep_alive_connection_closed_by_the_server_is_retried_once(fault_server: FaultServer) -> None:
    # The server promises keep-alive but closes every connection: reuse races with the close.
    fault_server.routes["/ka"] = lambda r: r.respond(200, b"ok", {"Connection": "keep-alive"})

    async def sequential(f: HttpFetcher) -> list[bytes]:
        return [(await f.get(fault_server.url("/ka"))).body for _ in range(8)]

    assert run(SETTINGS, sequential) == [b"ok"] * 8
