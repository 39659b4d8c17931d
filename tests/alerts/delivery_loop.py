"""A delivery daemon in miniature, for the crash test: deliver due alerts until killed.

    python -m tests.alerts.delivery_loop DB_URL SMTP_PORT WEBHOOK_URL

Prints "ready" once set up, so the test knows imports are done and delivery is under way.
"""

from __future__ import annotations

import os
import sys

from monitor.alerts import DeliverySettings, WatchlistDelivery, build_channels, deliver_due
from monitor.alerts.settings import EmailChannelSettings, WebhookChannelSettings
from monitor.clock import SystemClock
from monitor.storage.db import create_db_engine

SECRET = "s3cret-key"


def main(db_url: str, smtp_port: str, webhook_url: str) -> None:
    engine = create_db_engine(db_url)
    channels = build_channels({
        "mail": EmailChannelSettings(host="127.0.0.1", port=int(smtp_port), security="none",
                                     from_addr="monitor@example.org", to=["ops@example.org"], timeout=5),
        "hook": WebhookChannelSettings(url=webhook_url, secret=SECRET, timeout=5),  # type: ignore[arg-type]
    })
    settings = DeliverySettings(lease_seconds=1, batch_size=5)
    clock, owner = SystemClock(), f"loop-{os.getpid()}"
    print("ready", flush=True)
    while True:
        deliver_due(engine, channels, now=clock.now(), settings=settings, owner=owner,
                    watchlists={"energy": WatchlistDelivery()})


if __name__ == "__main__":
    main(*sys.argv[1:4])
