from __future__ import annotations

import asyncio

import httpx

from monitor.net.address import AddressPolicy
from monitor.net.transport import PerOriginTransport
from tests.faults.server import FaultServer


def test_one_pool_per_origin_and_idle_pools_are_closed() -> None:
    servers = [FaultServer().start() for _ in range(3)]
    for server in servers:
        server.routes["/x"] = lambda r: r.respond(200, b"hello")
    transport = PerOriginTransport(AddressPolicy(allow_private=False, allowed_networks=["127.0.0.0/8"]),
                                   per_origin=2, max_idle_pools=1)

    async def run() -> list[tuple[bytes, int]]:
        seen = []
        async with httpx.AsyncClient(transport=transport) as client:
            for server in servers:
                for _ in range(2):
                    response = await client.get(server.url("/x"))
                    seen.append((response.content, transport.pool_count))
        return seen

    try:
        seen = asyncio.run(run())
    finally:
        for server in servers:
            server.stop()
    assert [body for body, _ in seen] == [b"hello"] * 6
    assert all(count == 1 for _, count in seen)  # older idle pools were closed, the busy one kept



def test_busy_pools_are_kept_and_the_least_recently_requested_idle_one_goes() -> None:
    servers = [FaultServer().start() for _ in range(3)]
    for server in servers:
        server.routes["/x"] = lambda r: r.respond(200, b"hello")
    transport = PerOriginTransport(AddressPolicy(allow_private=False, allowed_networks=["127.0.0.0/8"]),
                                   per_origin=2, max_idle_pools=1)
    a, b, c = (server.url("/x") for server in servers)
    name = {httpx.URL(url).port: label for url, label in ((a, "a"), (b, "b"), (c, "c"))}

    def pooled() -> str:  # the pooled origins, least recently requested first
        return "".join(name[port] for _, _, port in transport._pools)

    async def run() -> list[str]:
        seen = []
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", a) as held:  # a stays busy, though least recently requested
                for url in (b, c):
                    await client.get(url)
                    seen.append(pooled())
                await held.aread()
            seen.append(pooled())  # a is idle now, and was requested before c
            await client.get(a)
            seen.append(pooled())
        seen.append(pooled())
        return seen

    try:
        assert asyncio.run(run()) == ["ab", "ac", "c", "a", ""]
    finally:
        for server in servers:
            server.stop()


def test_a_response_closed_after_aclose_does_not_count_as_idle() -> None:
    servers = [FaultServer().start() for _ in range(2)]
    for server in servers:
        server.routes["/x"] = lambda r: r.respond(200, b"hello")
    transport = PerOriginTransport(AddressPolicy(allow_private=False, allowed_networks=["127.0.0.0/8"]),
                                   per_origin=2, max_idle_pools=1)
    a, b = (server.url("/x") for server in servers)

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=transport) as client:
            held = await client.send(client.build_request("GET", a), stream=True)
            await transport.aclose()
            await held.aclose()  # its pool was dropped: it must not count against the idle budget
            await client.get(a)
            await client.get(b)
            return [transport.pool_count]

    try:
        assert asyncio.run(run()) == [1]
    finally:
        for server in servers:
            server.stop()
