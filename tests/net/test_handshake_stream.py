"""The pooled connection's stream says it is readable exactly when the server sent something or
hung up: httpcore drops such an idle connection instead of sending a request down it."""

from __future__ import annotations

import asyncio
import socket

from monitor.net.address import AddressPolicy, GuardedBackend


def test_an_idle_connection_turns_readable_when_the_server_hangs_up_or_writes() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = int(server.getsockname()[1])
    backend = GuardedBackend(AddressPolicy(allow_private=False, allowed_networks=("127.0.0.0/8",)))

    async def check() -> list[bool]:
        seen = []
        for server_does in ("writes", "hangs up"):
            stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
            peer, _ = await asyncio.to_thread(server.accept)
            seen.append(stream.get_extra_info("is_readable"))  # idle, nothing sent: False
            if server_does == "writes":
                peer.sendall(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
            else:
                peer.close()
            for _ in range(100):  # the bytes or the FIN cross loopback at once; allow for a slow host
                if stream.get_extra_info("is_readable"):
                    break
                await asyncio.sleep(0.01)
            seen.append(stream.get_extra_info("is_readable"))
            await stream.aclose()
            seen.append(stream.get_extra_info("is_readable"))  # our side closed: drop it, as httpcore does
            peer.close()
        return seen

    try:
        assert asyncio.run(check()) == [False, True, True, False, True, True]
    finally:
        server.close()


def test_the_stream_passes_other_questions_through() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    backend = GuardedBackend(AddressPolicy(allow_private=False, allowed_networks=("127.0.0.0/8",)))

    async def ask() -> tuple[object, object]:
        stream = await backend.connect_tcp("127.0.0.1", int(server.getsockname()[1]), timeout=5)
        try:
            return stream.get_extra_info("server_addr"), stream.get_extra_info("ssl_object")
        finally:
            await stream.aclose()

    try:
        assert asyncio.run(ask()) == (server.getsockname(), None)
    finally:
        server.close()
