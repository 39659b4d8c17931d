"""Content-Encoding decoders that never produce more than they are allowed to.

httpx's own decoders inflate a whole network chunk at once, so 64 KB of brotli can become
gigabytes before any cap is checked. These decoders take an output limit on every call: a
decompression bomb costs at most the cap in memory.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli


class DecodeError(Exception):
    pass


class Decoder(Protocol):
    def feed(self, data: bytes, limit: int) -> bytes: ...


class IdentityDecoder:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data[: limit + 1] if len(data) > limit else data


class ZlibDecoder:
    """gzip (wbits 31) or deflate: zlib-wrapped, falling back to raw deflate as browsers do."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._obj = zlib.decompressobj(31 if gzip else 15)
        self._first = True

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._obj.decompress(data, limit + 1)
        except zlib.error as exc:
            if self._first and not self._gzip:
                self._obj = zlib.decompressobj(-15)
                self._first = False
                return self.feed(data, limit)
            raise DecodeError(f"bad {'gzip' if self._gzip else 'deflate'} data ({exc})") from exc
        self._first = False
        return out


class BrotliDecoder:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            return bytes(self._obj.process(data, output_buffer_limit=limit + 1))
        except brotli.error as exc:
            raise DecodeError(f"bad brotli data ({exc})") from exc


def make_decoder(content_encoding: str) -> Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return IdentityDecoder()
    if len(codings) > 1:
        raise DecodeError(f"stacked content-encodings are not supported ({content_encoding})")
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return ZlibDecoder(gzip=True)
    if coding == "deflate":
        return ZlibDecoder(gzip=False)
    if coding == "br":
        return BrotliDecoder()
    raise DecodeError(f"unsupported content-encoding {coding!r}")


class CappedBody:
    """Accumulates decoded bytes; `add` returns False once the cap is exceeded."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        self._decoder = make_decoder(content_encoding)
        self._max = max_bytes
        self._parts: list[bytes] = []
        self.size = 0

    def add(self, raw: bytes) -> bool:
        room = self._max - self.size
        out = self._decoder.feed(raw, room)
        self._parts.append(out)
        self.size += len(out)
        return self.size <= self._max

    def value(self) -> bytes:
        return b"".join(self._parts)
