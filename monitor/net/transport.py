"""Transports under the shared client: the address guard, and one small pool per origin.

httpcore's connection pool scans every pooled connection for every request (with socket checks
on each), which costs O(connections) per request: with thousands of feeds over hundreds of hosts
that scan dominated the polling cycle. One pool per origin, each holding at most the per-host
limit, keeps every scan tiny; idle pools beyond `max_idle_pools` are closed, least recently used
first. The global connection cap is the fetcher's semaphore.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpcore
import httpx

from monitor.net.address import AddressPolicy, GuardedBackend


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the address guard as its network backend.

    httpx does not expose `network_backend`, so the pool is rebuilt with the same options;
    tests/net pin that a host resolving to a blocked address is refused before connecting.
    """

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, limits=limits, trust_env=False, http1=True, http2=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(policy),
        )


_Origin = tuple[bytes, bytes, int | None]


@dataclass
class _Pool:
    key: _Origin
    transport: GuardedTransport
    users: int = 0


class _TrackedStream(httpx.AsyncByteStream):
    """A response body that tells its pool when it is done with."""

    def __init__(self, inner: httpx.AsyncByteStream, owner: PerOriginTransport, pool: _Pool) -> None:
        self._inner, self._owner, self._pool = inner, owner, pool
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._inner.aclose()
        finally:
            await self._owner.release(self._pool)


class PerOriginTransport(httpx.AsyncBaseTransport):
    def __init__(self, policy: AddressPolicy, *, per_origin: int, max_idle_pools: int = 256) -> None:
        self._policy = policy
        self._limits = httpx.Limits(max_connections=per_origin, max_keepalive_connections=per_origin)
        self._max_idle = max_idle_pools
        self._ssl = httpx.create_ssl_context(trust_env=False)  # loading CA certificates is slow: once
        self._pools: OrderedDict[_Origin, _Pool] = OrderedDict()  # least recently requested first
        self._idle = 0  # pools in self._pools with no users, so release() need not scan them all

    @property
    def pool_count(self) -> int:
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self._acquire((request.url.raw_scheme, request.url.raw_host, request.url.port))
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            await self.release(pool)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(status_code=response.status_code, headers=response.headers,
                              stream=_TrackedStream(response.stream, self, pool),
                              extensions=response.extensions)

    def _acquire(self, key: _Origin) -> _Pool:
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool(key, GuardedTransport(self._policy, self._limits, self._ssl))
        elif pool.users == 0:
            self._idle -= 1
        self._pools.move_to_end(key)
        pool.users += 1
        return pool

    async def release(self, pool: _Pool) -> None:
        pool.users -= 1
        # A pool dropped by aclose() may still have its last response being closed: it is not ours to count.
        if pool.users == 0 and self._pools.get(pool.key) is pool:
            self._idle += 1
            for victim in self._evict():
                await victim.transport.aclose()

    def _evict(self) -> list[_Pool]:
        """Take the least recently requested idle pools beyond the budget out of the map.

        All are removed before any is closed, so no request can pick one up while another closes."""
        excess = self._idle - self._max_idle
        if excess <= 0:
            return []
        keys = []
        for key, pool in self._pools.items():  # busy pools at the front are few: the fetcher caps them
            if pool.users == 0:
                keys.append(key)
                if len(keys) == excess:
                    break
        self._idle -= len(keys)
        return [self._pools.pop(key) for key in keys]

    async def aclose(self) -> None:
        pools, self._pools, self._idle = list(self._pools.values()), OrderedDict(), 0
        for pool in pools:
            await pool.transport.aclose()
