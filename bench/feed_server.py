"""A fast feed server for benchmarks: raw asyncio HTTP/1.1 with keep-alive on many loopback ports.

Each port stands for one site (so per-host limits apply as on the real web). Feed i behaves by
i % 100: most are steady (ETag, then 304), some publish a new entry on every request, a few are
broken (404, 500, malformed XML) and one in a hundred answers slowly.

Run: python -m bench.feed_server --hosts 200   (prints the ports as JSON on its first line)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Protocol

SLOW_SECONDS = 0.5


def _feed(i: int, items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>https://site{i}.example/{g}</link>"
                   f"<guid isPermaLink=\"false\">{g}</guid></item>" for g, t in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {i}</title>'
            f"<link>https://site{i}.example/</link>{body}</channel></rss>").encode()


class Site:
    def __init__(self) -> None:
        self.hits: dict[int, int] = {}

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, float]:
        try:
            i = int(path.rsplit("/", 1)[1])
        except (IndexError, ValueError):
            return 404, {}, b"no", 0.0
        kind = i % 100
        n = self.hits[i] = self.hits.get(i, 0) + 1
        if kind < 2:
            return 404, {}, b"not here", 0.0
        if kind < 4:
            return 500, {}, b"oops", 0.0
        if kind < 5:
            return 200, {}, _feed(i, [(f"{i}-a", "ok")])[:-40] + b"<item><title>broken & bad", 0.0
        if kind < 15:  # busy: a new entry on every poll
            items = [(f"{i}-{k}", f"story {k}") for k in range(max(1, n - 4), n + 1)]
            return 200, {"ETag": f'"{i}-{n}"'}, _feed(i, items), 0.0
        delay = SLOW_SECONDS if kind == 15 else 0.0
        etag = f'"{i}-steady"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b"", delay
        items = [(f"{i}-{k}", f"story {k}") for k in range(5)]
        return 200, {"ETag": etag, "Cache-Control": "max-age=60"}, _feed(i, items), delay


REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"}


class Responder(Protocol):
    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, float]: ...


async def handle(site: Responder, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            status, extra, body, delay = site.respond(path, headers)
            if delay:
                await asyncio.sleep(delay)
            fields = {"Content-Length": str(len(body)), "Content-Type": "application/rss+xml", **extra}
            out = f"HTTP/1.1 {status} {REASONS[status]}\r\n"
            out += "".join(f"{k}: {v}\r\n" for k, v in fields.items())
            writer.write(out.encode("latin-1") + b"\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(site: Responder, hosts: int) -> None:
    """Serve `site` on `hosts` loopback ports (one per site), print the ports as JSON, run until killed."""
    servers = [await asyncio.start_server(lambda r, w: handle(site, r, w), "127.0.0.1", 0, backlog=1024)
               for _ in range(hosts)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    sys.stdout.write(json.dumps(ports) + "\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=200)
    asyncio.run(serve(Site(), parser.parse_args().hosts))


if __name__ == "__main__":
    main()
