"""Feeds and the address guard: `check-config` warns about feeds it would refuse, and a feed it
refused is retried as soon as the config allows it.

A refused feed backs off like any failing feed (about 15 minutes after the first failure, by default),
so opening `[http] allowed_networks` and running `monitor once` again used to poll nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from monitor.ingest.settings import FeedSpec
from monitor.net.address import AddressPolicy, blocked_address
from monitor.net.preflight import blocked_urls
from monitor.net.settings import HttpSettings
from monitor.storage.feeds import check_now, list_feeds


def guard_warnings(feeds: Sequence[FeedSpec], http: HttpSettings) -> list[str]:
    """One line per configured feed the guard would refuse (`monitor check-config`), naming the key."""
    refused = blocked_urls(http, [feed.url for feed in feeds])
    return [f"feed {feed.name!r} ({feed.url}) would fail: {refused[feed.url]}"
            for feed in feeds if feed.url in refused]


def retry_unblocked(conn: Connection, http: HttpSettings, *, now: datetime) -> list[str]:
    """Make due now every enabled feed last refused by the guard that `http` now lets through."""
    policy = AddressPolicy.from_settings(http)
    retried = []
    for feed in list_feeds(conn, errors_only=True):
        address = blocked_address(feed.last_error)
        if not feed.enabled or address is None or not _allowed(policy, address):
            continue
        if feed.next_check_at is None or feed.next_check_at > now:
            check_now(conn, feed.name, now=now)
            retried.append(feed.name)
    return retried


def _allowed(policy: AddressPolicy, address: str) -> bool:
    try:
        return policy.refusal(address) is None
    except ValueError:  # not an address after all: leave the feed to its back-off
        return False


