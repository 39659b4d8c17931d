from __future__ import annotations

import pytest

from monitor.net.address import AddressPolicy

STRICT = AddressPolicy(allow_private=False, allowed_networks=())


@pytest.mark.parametrize("address, kind", [
    ("10.0.0.5", "private"),
    ("192.168.1.1", "private"),
    ("172.16.0.1", "private"),
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("::ffff:10.0.0.1", "private"),  # IPv4-mapped IPv6 must not sneak through
    ("fc00::1", "private"),
    ("100.64.0.1", "non-global"),  # carrier-grade NAT
    ("240.0.0.1", "reserved"),
])
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    reason = STRICT.refusal(address)
    assert reason is not None and f"is a {kind} address; allow it with [http] allowed_networks" in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert STRICT.refusal(address) is None


def test_allowed_networks_open_only_themselves() -> None:
    policy = AddressPolicy(allow_private=False, allowed_networks=["127.0.0.0/8"])
    assert policy.refusal("127.0.0.9") is None
    assert policy.refusal("10.0.0.1") == ('blocked: 10.0.0.1 is a private address; '
                                          'allow it with [http] allowed_networks = ["10.0.0.1/32"]')
