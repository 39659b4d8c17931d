"""Would the address guard let us reach this URL? Asked before any request (`monitor check-config`).

The same policy as the fetcher, applied to what the host resolves to now. A host that does not
resolve is not reported here: the poll says so in its own words, and DNS may be down just now.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from monitor.net.address import AddressPolicy
from monitor.net.settings import HttpSettings


def blocked_urls(settings: HttpSettings, urls: Sequence[str], *,
                 timeout: float = 3.0) -> dict[str, str]:
    """The refusal reason for every URL in `urls` whose host is (or resolves to) a blocked address."""
    policy = AddressPolicy.from_settings(settings)

    async def check_all() -> list[str | None]:
        return await asyncio.gather(*(_refusal(policy, url, timeout) for url in urls))

    reasons = asyncio.run(check_all()) if urls else []
    return {url: reason for url, reason in zip(urls, reasons, strict=True) if reason}


async def _refusal(policy: AddressPolicy, url: str, timeout: float) -> str | None:
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]
    except ValueError:
        addresses = await _resolve(host, timeout)
    for address in addresses:
        reason = policy.refusal(address)
        if reason:
            return reason
    return None


async def _resolve(host: str, timeout: float) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (TimeoutError, OSError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
