"""The health check behind `/healthz` (served with `/metrics` and the console by `monitor.web.server`)."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from monitor.errors import StorageError
from monitor.logs import redact_text
from monitor.storage.stats import ping

if TYPE_CHECKING:
    from sqlalchemy import Engine


class HealthProbe:
    """Asks the database `SELECT 1`, waiting at most `timeout` seconds.

    A check that hangs (a black-holed network) keeps running in the one worker thread; later
    requests report it instead of piling up more hung threads.
    """

    def __init__(self, engine: Engine, timeout: float) -> None:
        self._engine, self._timeout = engine, timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
        self._pending: Future[None] | None = None
        self._lock = threading.Lock()

    def check(self) -> str | None:
        """None when healthy, else the reason."""
        with self._lock:
            if self._pending is not None and not self._pending.done():
                return f"database check still unanswered after {self._timeout:g}s"
            self._pending = future = self._pool.submit(ping, self._engine)
        try:
            future.result(timeout=self._timeout)
        except FutureTimeout:
            return f"database did not answer within {self._timeout:g}s"
        except StorageError as exc:
            return redact_text(str(exc))
        return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
