"""Canonical URLs: one spelling per article, so that an article is stored once per canonical URL.

`canonicalize_url` normalises what does not change the resource (case of scheme and host, default
ports, fragments, tracking parameters, parameter order). `resolve_canonical` decides whether a page's
`<link rel=canonical>` can be trusted: it must be http(s) and point to the same site, since CMS
templates and scrapers often carry a canonical link to some other domain or to the home page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from monitor.libxml2_lock import one_thread_in_libxml2

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from monitor.models import Page

# Exact tracking parameter names (lower-case); anything starting with a prefix below is dropped too.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "ref",
    "ref_src", "ref_url", "cmpid", "_ga", "_gl", "spm", "scm", "ncid", "sr_share", "smid", "smtyp",
    "mkt_tok", "wt.mc_id", "wt_mc_id", "ocid", "cmp", "s_cid", "at_medium", "at_campaign", "ito",
    "share", "shared", "xtor", "__twitter_impression", "rss", "feature",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "__hs", "_hs")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Second-level labels under which registries sell domains (example.co.uk, example.com.au, ...).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go", "gob", "nic"})
_SITE_PREFIXES = re.compile(r"^(?:www\d?|m|mobile|amp)\.")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Return `url` in canonical spelling; a string that is not an absolute URL comes back stripped."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the netloc as it was, only lower-cased
        port = None
        host = parts.netloc.lower()
    netloc = host
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{host}"
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs), doseq=True)
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def _site_key(host: str) -> str:
    """The registrable part of a host, approximated without a public-suffix list."""
    labels = _SITE_PREFIXES.sub("", host.lower().rstrip(".")).split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url_a: str, url_b: str) -> bool:
    host_a, host_b = urlsplit(url_a).hostname, urlsplit(url_b).hostname
    return bool(host_a and host_b) and _site_key(host_a or "") == _site_key(host_b or "")


def resolve_canonical(page_url: str, canonical_href: str | None) -> str:
    """The canonical URL of a page: its trusted `rel=canonical` target, else the page URL, canonicalised."""
    href = (canonical_href or "").strip()
    if href:
        target = urljoin(page_url, href)
        parts = urlsplit(target)
        home_page = parts.path in ("", "/") and urlsplit(page_url).path not in ("", "/")
        if parts.scheme in ("http", "https") and same_site(page_url, target) and not home_page:
            return canonicalize_url(target)
    return canonicalize_url(page_url)


def canonical_href(tree: HtmlElement) -> str | None:
    for link in tree.iter("link"):
        href = link.get("href")
        if href is not None and "canonical" in (link.get("rel") or "").lower().split():
            return str(href)
    return None


@one_thread_in_libxml2
def declared_canonical(page: Page) -> str | None:
    """The `<link rel=canonical>` the page's markup declares: a parse of the page, no extraction."""
    from lxml import etree, html

    from monitor.content.page_charset import decode_body

    try:
        tree = html.document_fromstring(decode_body(page.body, page.charset))
    except (ValueError, etree.ParserError):
        return None
    return canonical_href(tree)
