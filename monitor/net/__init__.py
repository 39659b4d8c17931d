"""Safe HTTP: one shared client, address guard, capped bodies, deadlines, per-host politeness."""

from monitor.net.http import HttpFetcher, HttpResponse
from monitor.net.settings import HttpSettings

__all__ = ["HttpFetcher", "HttpResponse", "HttpSettings"]
