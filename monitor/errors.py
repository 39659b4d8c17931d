"""The one exception tree of the project.

MonitorError
├── ConfigError          a config or watchlist file is wrong (names file, key, line)
├── StorageError         the database refused or is unreachable
├── FetchError           a feed or page could not be fetched (names the URL)
│   └── BlockedAddressError   the URL resolves to an address the config does not allow
├── ExtractionError      a page gave no usable article (not HTML, empty, ...)
├── QueryError           a watchlist query does not parse (names the column)
└── DeliveryError        a channel could not deliver (names the channel); `retryable` says if it may
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(MonitorError):
    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        self.file, self.key, self.line = file, key, line
        where = ":".join(str(p) for p in (file, line) if p is not None)
        parts = [p for p in (where, f"key '{key}'" if key else None, message) if p]
        super().__init__(": ".join(parts))


class StorageError(MonitorError):
    pass


class FetchError(MonitorError):
    def __init__(self, url: str, reason: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        self.url, self.reason, self.status, self.retry_after = url, reason, status, retry_after
        super().__init__(f"{url}: {reason}")


class BlockedAddressError(FetchError):
    pass


class ExtractionError(MonitorError):
    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")


class QueryError(MonitorError):
    def __init__(self, message: str, *, query: str = "", column: int = 0) -> None:
        self.query, self.column = query, column
        pointer = f"\n  {query}\n  {' ' * column}^" if query else ""
        super().__init__(f"column {column + 1}: {message}{pointer}")


class DeliveryError(MonitorError):
    def __init__(self, channel: str, reason: str, *, retryable: bool = True,
                 retry_after: float | None = None) -> None:
        self.channel, self.reason, self.retryable = channel, reason, retryable
        self.retry_after = retry_after  # the server's hint in seconds (Retry-After), if it gave one
        super().__init__(f"channel {channel}: {reason}")
