"""The one exception tree of the project.

MonitorError
├── ConfigError          a config or watchlist file is wrong (names file, key, line); may list several
├── StorageError         the database refused or is unreachable
├── FetchError           a feed or page could not be fetched (names the URL)
│   └── BlockedAddressError   the URL resolves to an address the config does not allow
├── ExtractionError      a page gave no usable article (not HTML, empty, ...)
├── QueryError           a watchlist query does not parse (names the column)
└── DeliveryError        a channel could not deliver (names the channel); `retryable` says if it may
"""

from __future__ import annotations

from collections.abc import Sequence


class MonitorError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(MonitorError):
    """One problem (`file`, `line`, `key`, `message`), or several found in one pass (`problems`).

    A person fixes a file faster when told everything wrong with it at once, so loaders collect
    every problem and raise `ConfigError.of(problems)`; each problem is itself a ConfigError.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        self.message, self.file, self.key, self.line = message, file, key, line
        self.problems: tuple[ConfigError, ...] = (self,)
        where = ":".join(str(p) for p in (file, line) if p is not None)
        parts = [p for p in (where, f"key '{key}'" if key else None, message) if p]
        super().__init__(": ".join(parts))

    @classmethod
    def of(cls, problems: Sequence[ConfigError]) -> ConfigError:
        """One error listing `problems` in file order; its file, key and line are the first one's."""
        if not problems:
            raise ValueError("ConfigError.of needs at least one problem")
        ordered = sorted(problems, key=lambda p: (p.file or "", p.line is None, p.line or 0))
        if len(ordered) == 1:
            return ordered[0]
        first = ordered[0]
        files = {p.file for p in ordered}
        where = f"{first.file}: " if len(files) == 1 and first.file else ""
        error = cls(f"{where}{len(ordered)} problems:\n" + "\n".join(f"  {p}" for p in ordered))
        error.file, error.key, error.line = first.file, first.key, first.line
        error.problems = tuple(ordered)
        return error


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
