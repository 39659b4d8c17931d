"""Entry -> page -> article: fetch (fetch.py), then extraction (extract.py and the modules it uses).

The public surface other stages use is re-exported here. Names are imported on first use, so reading
the settings (`monitor.config`) does not pull in trafilatura, lxml and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "canonicalize_url": "monitor.content.canonical",
    "resolve_canonical": "monitor.content.canonical",
    "extract_article": "monitor.content.extract",
    "detect_language": "monitor.content.language",
    "ContentSettings": "monitor.content.settings",
}
__all__ = ["ContentSettings", "canonicalize_url", "detect_language", "extract_article", "resolve_canonical"]

if TYPE_CHECKING:
    from monitor.content.canonical import canonicalize_url, resolve_canonical
    from monitor.content.extract import extract_article
    from monitor.content.language import detect_language
    from monitor.content.settings import ContentSettings


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'monitor.content' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
