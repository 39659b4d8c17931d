"""Watchlists: files, the query language, Unicode-aware term matching, topic by meaning, explanations.

The surface the rest of the daemon uses (see docs/watchlists.md for the file format and grammar).
Names are imported on first use: loading watchlists for delivery does not pull in the matcher's numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "WatchlistSet": "monitor.watch.loader",
    "load_watchlists": "monitor.watch.loader",
    "match_article": "monitor.watch.matcher",
    "match_story": "monitor.watch.matcher",
    "Watchlist": "monitor.watch.model",
}
__all__ = ["Watchlist", "WatchlistSet", "load_watchlists", "match_article", "match_story"]

if TYPE_CHECKING:
    from monitor.watch.loader import WatchlistSet, load_watchlists
    from monitor.watch.matcher import match_article, match_story
    from monitor.watch.model import Watchlist


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'monitor.watch' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
