"""The one shared HTTP client: safe addresses, capped bodies, deadlines, polite concurrency.

`HttpFetcher.get` follows redirects itself so every hop is checked and counted; the body is read
as a stream and decoded by our own capped decoders (see content_encoding.py); the whole request, redirects
included, runs under one total deadline. Every failure is a FetchError whose reason reads well.
"""

from __future__ import annotations

import asyncio
import errno
import http
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.clock import Clock, SystemClock
from monitor.errors import BlockedAddressError, FetchError
from monitor.net.address import AddressPolicy
from monitor.net.content_encoding import CappedBody, DecodeError
from monitor.net.handshake import TLS_HANDSHAKE_TIMEOUT
from monitor.net.headers import charset_of, media_type, retry_after_seconds
from monitor.net.settings import HttpSettings
from monitor.net.transport import PerOriginTransport

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
_DRAIN_LIMIT = 64 * 1024


@dataclass(frozen=True)
class HttpResponse:
    url: str  # final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes  # decoded (gzip/deflate/br undone)
    redirects: tuple[tuple[int, str], ...] = field(default=())  # (status, location) per hop

    @property
    def content_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))

    @property
    def charset(self) -> str | None:
        return charset_of(self.headers.get("content-type", ""))


class HttpFetcher:
    def __init__(self, settings: HttpSettings, *, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()
        self._policy = AddressPolicy.from_settings(settings)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client = self._build_client()
        self._global = asyncio.Semaphore(settings.max_connections)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    def _build_client(self) -> httpx.AsyncClient:
        settings = self._settings
        return httpx.AsyncClient(
            transport=PerOriginTransport(self._policy, per_origin=settings.per_host_limit),
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout,
                write=settings.write_timeout, pool=settings.pool_timeout,
            ),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            follow_redirects=False,
            trust_env=False,  # an environment proxy would bypass the address guard
        )

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            # Used again from a new event loop (asyncio.run called twice): the pooled connections and
            # the semaphores belong to the old, closed one, so start afresh instead of failing.
            self._client = self._build_client()
            self._global = asyncio.Semaphore(self._settings.max_connections)
            self._hosts = {}
        self._loop = loop

    @property
    def settings(self) -> HttpSettings:
        return self._settings

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> HttpResponse:
        """GET `url`; 2xx and 304 return, anything else raises FetchError (or BlockedAddressError)."""
        self._bind_loop()
        cap = max_bytes or self._settings.max_body_bytes
        try:
            async with asyncio.timeout(self._settings.total_timeout):
                return await self._follow(url, dict(headers or {}), cap)
        except TimeoutError:
            raise FetchError(url, f"timed out after {self._settings.total_timeout:g} s (total deadline)") \
                from None

    async def _follow(self, url: str, headers: dict[str, str], cap: int) -> HttpResponse:
        hops: list[tuple[int, str]] = []
        seen = {url}
        current = url
        while True:
            response = await self._one(current, headers, cap)
            if response.status not in REDIRECT_STATUSES:
                return HttpResponse(response.url, response.status, response.headers, response.body,
                                    tuple(hops))
            location = response.headers.get("location", "").strip()
            if not location:  # a redirect to nowhere: no body came, so it is no success either
                raise FetchError(url, f"HTTP {response.status} {_phrase(response.status)} without a "
                                      f"Location header (redirect to nowhere)", status=response.status)
            target = urljoin(current, location)
            hops.append((response.status, target))
            if urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(url, f"redirect to a non-HTTP URL ({target})", status=response.status)
            if target in seen:
                raise FetchError(url, f"redirect loop ({current} -> {target})", status=response.status)
            if len(hops) > self._settings.max_redirects:
                raise FetchError(url, f"too many redirects ({len(hops)})", status=response.status)
            seen.add(target)
            current = target

    async def _one(self, url: str, headers: dict[str, str], cap: int) -> HttpResponse:
        """One request, no redirect following; the body is read only for final answers."""
        try:
            host = httpx.URL(url).netloc.decode("ascii").lower()
        except (httpx.InvalidURL, UnicodeDecodeError) as exc:
            raise FetchError(url, f"invalid URL ({exc})") from None
        async with self._slot(host):
            for attempt in (1, 2):
                try:
                    async with self._client.stream("GET", url, headers=headers) as response:
                        return await self._read(url, response, cap)
                except BlockedAddressError as exc:
                    raise BlockedAddressError(url, exc.reason) from None
                except httpx.RemoteProtocolError as exc:
                    # A kept-alive connection the server closed just as we reused it: GET is safe to
                    # send again, once, on a fresh connection (browsers do the same).
                    if attempt == 1 and "without sending a response" in str(exc):
                        continue
                    raise FetchError(url, describe(exc, self._settings)) from None
                except (httpx.HTTPError, DecodeError) as exc:
                    raise FetchError(url, describe(exc, self._settings)) from None
        raise AssertionError("unreachable")

    async def _read(self, url: str, response: httpx.Response, cap: int) -> HttpResponse:
        headers = MappingProxyType({k.lower(): v for k, v in response.headers.items()})
        status = response.status_code
        if status >= 400 or status in REDIRECT_STATUSES or status == 304:
            await _drain_small(response, headers)
        if status >= 400:
            phrase = response.reason_phrase or _phrase(status)
            raise FetchError(url, f"HTTP {status} {phrase}".strip(), status=status,
                             retry_after=retry_after_seconds(headers, self._clock.now()))
        body = b""
        if status not in REDIRECT_STATUSES and status != 304:
            body = await _read_capped(url, response, headers, cap)
        return HttpResponse(str(response.url), status, headers, body)

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        # Host first, then the global slot: waiting for a busy host holds no global slot.
        semaphore, users = self._hosts.setdefault(
            host, (asyncio.Semaphore(self._settings.per_host_limit), [0])
        )
        users[0] += 1
        try:
            async with semaphore, self._global:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._hosts.pop(host, None)


async def _read_capped(url: str, response: httpx.Response, headers: Mapping[str, str], cap: int) -> bytes:
    encoding = headers.get("content-encoding", "")
    declared = headers.get("content-length", "")
    if not encoding and declared.isdigit() and int(declared) > cap:
        raise FetchError(url, f"body exceeds {cap} bytes (Content-Length {declared})",
                         status=response.status_code)
    body = CappedBody(encoding, cap)
    async for chunk in response.aiter_raw():
        if not body.add(chunk):
            raise FetchError(url, f"body exceeds {cap} bytes", status=response.status_code)
    return body.value()


async def _drain_small(response: httpx.Response, headers: Mapping[str, str]) -> None:
    """Read a short declared body we do not need, so the connection can be reused (keep-alive).

    Anything long, unsized or failing is left unread: the connection is then simply closed.
    """
    declared = headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _DRAIN_LIMIT:
        return
    try:
        async for _ in response.aiter_raw():
            pass
    except httpx.HTTPError:
        pass


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _os_errno(exc: BaseException) -> int | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return seen.errno
        seen = seen.__cause__ or seen.__context__
    return None


def describe(exc: Exception, settings: HttpSettings) -> str:
    """A reason a person understands, from an httpx exception."""
    text = str(exc)
    if isinstance(exc, DecodeError):
        return text
    if isinstance(exc, httpx.ConnectTimeout) and text == TLS_HANDSHAKE_TIMEOUT:
        return f"{TLS_HANDSHAKE_TIMEOUT} after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        phase, seconds = {
            httpx.ConnectTimeout: ("connect", settings.connect_timeout),
            httpx.ReadTimeout: ("read", settings.read_timeout),
            httpx.WriteTimeout: ("write", settings.write_timeout),
        }.get(type(exc), ("waiting for a connection", settings.pool_timeout))
        return f"timed out after {seconds:g} s ({phase})"
    code = _os_errno(exc)
    lowered = text.lower()
    if code == errno.ECONNREFUSED or "refused" in lowered or "connect call failed" in lowered:
        return "connection refused"
    if code in (errno.ECONNRESET, errno.EPIPE) or "reset" in lowered:
        return "connection reset"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending a response" in lowered:
            return "connection closed before any response"
        if "incomplete" in lowered or "complete message body" in lowered:
            return "truncated body (connection closed before the declared length)"
        return f"protocol error ({text})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL ({text})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({text})" if text else "cannot connect"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
