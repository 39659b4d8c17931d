"""A delivery daemon in miniature, for the crash test: deliver due alerts until killed.

    python -m tests.alerts.delivery_loop DB_URL SMTP_PORT WEBHOOK_URL

It imports everything once, then for each line "start" on stdin forks a sender process that prints
"ready PID" and delivers in a loop until it is killed; then it prints "exit SIGNAL" (or "exit -CODE")
once that sender has died. Forking from a warm parent keeps twenty restarts fast.
"""

from __future__ import annotations

import os
import sys

from monitor.alerts import DeliverySettings, Renderer, WatchlistDelivery, build_channels, deliver_due
from monitor.alerts.settings import EmailChannelSettings, WebhookChannelSettings
from monitor.clock import SystemClock
from monitor.storage.db import create_db_engine

SECRET = "s3cret-key"


def deliver_forever(db_url: str, smtp_port: int, webhook_url: str, renderer: Renderer) -> None:
    engine = create_db_engine(db_url)  # opened in the sender, never shared across fork
    channels = build_channels({
        "mail": EmailChannelSettings(host="127.0.0.1", port=smtp_port, security="none",
                                     from_addr="monitor@example.org", to=["ops@example.org"], timeout=5),
        "hook": WebhookChannelSettings(url=webhook_url, secret=SECRET, timeout=5),  # type: ignore[arg-type]
    })
    settings = DeliverySettings(lease_seconds=1, batch_size=5)
    clock, owner = SystemClock(), f"sender-{os.getpid()}"
    print(f"ready {os.getpid()}", flush=True)
    while True:
        deliver_due(engine, channels, now=clock.now(), settings=settings, owner=owner,
                    watchlists={"energy": WatchlistDelivery()}, renderer=renderer)


def main(db_url: str, smtp_port: str, webhook_url: str) -> None:
    renderer = Renderer()  # templates compiled once, here, and inherited by every sender
    for name in renderer.env.list_templates():
        renderer.env.get_template(name)
    for line in sys.stdin:
        if line.strip() != "start":
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                deliver_forever(db_url, int(smtp_port), webhook_url, renderer)
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        code = os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status)
        print(f"exit {code}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
