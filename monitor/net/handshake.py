"""A TCP stream that tells a TLS handshake timeout from a connect timeout.

httpcore reports both as `ConnectTimeout`, so a server that accepts the connection and then never
answers the TLS ClientHello read as "timed out (connect)": the wrong lead for whoever debugs it.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpcore

TLS_HANDSHAKE_TIMEOUT = "TLS handshake timed out"


class HandshakeTimeoutStream(httpcore.AsyncNetworkStream):
    """Passes everything through; only a timeout inside `start_tls` gets its own message."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            return await self._inner.start_tls(ssl_context, server_hostname, timeout)
        except httpcore.ConnectTimeout:
            raise httpcore.ConnectTimeout(TLS_HANDSHAKE_TIMEOUT) from None

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
