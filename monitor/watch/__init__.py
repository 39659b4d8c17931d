"""Watchlists: files, the query language, Unicode-aware term matching, topic by meaning, explanations.

The surface the rest of the daemon uses (see docs/watchlists.md for the file format and grammar).
"""

from monitor.watch.loader import WatchlistSet, load_watchlists
from monitor.watch.matcher import match_article, match_story
from monitor.watch.model import Watchlist

__all__ = ["Watchlist", "WatchlistSet", "load_watchlists", "match_article", "match_story"]
