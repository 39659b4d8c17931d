"""The address guard: which IPs we may connect to, checked after DNS, at connect time.

The check lives in the network backend that httpcore calls to open every TCP connection, so the
address that was checked is the address we connect to (no DNS-rebinding window), and every
redirect hop, being a new connection or a reused one to an already checked address, is covered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Any

import httpcore

from monitor.errors import BlockedAddressError
from monitor.net.handshake import HandshakeTimeoutStream
from monitor.net.settings import HttpSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_BLOCKED = re.compile(r"^blocked: (\S+) is an? [a-z-]+ address")
_IPV4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class AddressPolicy:
    """Refuses private, loopback, link-local, multicast, reserved and unspecified addresses."""

    def __init__(self, *, allow_private: bool, allowed_networks: Iterable[str]) -> None:
        self._allow_private = allow_private
        self._allowed = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]

    @classmethod
    def from_settings(cls, settings: HttpSettings) -> AddressPolicy:
        return cls(allow_private=settings.allow_private_addresses, allowed_networks=settings.allowed_networks)

    def refusal(self, address: str) -> str | None:
        """Why `address` may not be contacted, or None when it may."""
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self._allowed) or self._allow_private:
            return None
        for kind, flag in (
            ("loopback", ip.is_loopback),
            ("link-local", ip.is_link_local),
            ("multicast", ip.is_multicast),
            ("unspecified", ip.is_unspecified),
            ("reserved", ip.is_reserved),
            ("private", ip.is_private),
            ("non-global", not ip.is_global),
        ):
            if flag:
                # Name the setting: a user behind this message is one line of config away from a fix.
                return (f"blocked: {ip} is a {kind} address; allow it with "
                        f'[http] allowed_networks = ["{suggested_network(ip)}"]')
        return None


def suggested_network(ip: IPAddress) -> str:
    """The network to allow for `ip`: all of IPv4 loopback, else just that one address."""
    if ip in _IPV4_LOOPBACK:
        return str(_IPV4_LOOPBACK)
    return f"{ip}/{ip.max_prefixlen}"


def blocked_address(reason: str | None) -> str | None:
    """The address a `refusal` reason (stored as a feed's last error) names, or None."""
    match = _BLOCKED.match(reason or "")
    return match.group(1) if match else None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, checks every address, then connects to a checked one."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        for address in addresses:  # every address, so a mixed answer cannot sneak one through
            reason = self._policy.refusal(address)
            if reason:
                raise BlockedAddressError(host, reason)
        last: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
                return HandshakeTimeoutStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"DNS lookup of {host} timed out") from exc
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host} ({exc.strerror})") from exc
        addresses: list[str] = []
        for info in infos:
            address = str(info[4][0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve host {host}")
        return addresses

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError(path, "blocked: unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
