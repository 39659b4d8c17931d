"""A refusal of the address guard names the setting that lifts it, and can be foreseen (check-config)."""

from __future__ import annotations

import asyncio
import ipaddress
import re

import pytest

from monitor.errors import BlockedAddressError
from monitor.net import HttpFetcher, HttpSettings
from monitor.net.address import AddressPolicy, blocked_address
from monitor.net.preflight import blocked_urls
from tests.faults.server import FaultServer

STRICT = HttpSettings(connect_timeout=1, read_timeout=1, total_timeout=3)
SUGGESTION = re.compile(r'; allow it with \[http\] allowed_networks = \["([^"]+)"\]$')


@pytest.mark.parametrize("address, network", [
    ("127.0.0.1", "127.0.0.0/8"),
    ("127.3.4.5", "127.0.0.0/8"),
    ("::1", "::1/128"),
    ("10.1.2.3", "10.1.2.3/32"),
    ("fd00::7", "fd00::7/128"),
])
def test_refusal_names_the_key_and_its_advice_works(address: str, network: str) -> None:
    reason = AddressPolicy.from_settings(STRICT).refusal(address)
    assert reason is not None
    match = SUGGESTION.search(reason)
    assert match is not None and match.group(1) == network, reason
    assert blocked_address(reason) == str(ipaddress.ip_address(address))
    opened = AddressPolicy(allow_private=False, allowed_networks=[match.group(1)])
    assert opened.refusal(address) is None


def test_a_blocked_fetch_tells_the_user_which_line_to_add(fault_server: FaultServer) -> None:
    fault_server.routes["/feed"] = lambda r: r.respond(200, b"<rss/>")

    async def get() -> None:
        fetcher = HttpFetcher(STRICT)
        try:
            await fetcher.get(fault_server.url("/feed"))
        finally:
            await fetcher.aclose()

    with pytest.raises(BlockedAddressError) as info:
        asyncio.run(get())
    assert info.value.reason == ('blocked: 127.0.0.1 is a loopback address; '
                                 'allow it with [http] allowed_networks = ["127.0.0.0/8"]')
    assert fault_server.seen == []


def test_preflight_finds_literal_and_resolved_private_hosts_without_connecting(
        fault_server: FaultServer) -> None:
    urls = [fault_server.url("/a"), f"http://localhost:{fault_server.port}/b", "http://[::1]:9/c",
            "http://10.20.30.40/d", "https://93.184.216.34/e"]
    found = blocked_urls(STRICT, urls, timeout=2)
    assert sorted(found) == sorted(urls[:4])
    assert "loopback" in found[urls[1]] and "allowed_networks" in found[urls[1]]
    assert "10.20.30.40 is a private address" in found[urls[3]]
    assert fault_server.seen == []
    opened = HttpSettings(allowed_networks=("127.0.0.0/8", "::1/128", "10.0.0.0/8"))
    assert blocked_urls(opened, urls, timeout=2) == {}


def test_blocked_address_reads_only_guard_refusals() -> None:
    assert blocked_address("blocked: 169.254.169.254 is a link-local address; allow it with ...") \
        == "169.254.169.254"
    assert blocked_address("blocked: unix sockets are not allowed") is None
    assert blocked_address("HTTP 404 Not Found") is None and blocked_address(None) is None
