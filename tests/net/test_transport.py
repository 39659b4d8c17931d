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
