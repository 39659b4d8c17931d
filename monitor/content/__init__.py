"""Entry -> page -> article: fetch (fetch.py), then extraction (extract.py and the modules it uses).

The public surface other stages use is re-exported here.
"""

from monitor.content.canonical import canonicalize_url, resolve_canonical
from monitor.content.extract import extract_article
from monitor.content.language import detect_language
from monitor.content.settings import ContentSettings

__all__ = ["ContentSettings", "canonicalize_url", "detect_language", "extract_article", "resolve_canonical"]
