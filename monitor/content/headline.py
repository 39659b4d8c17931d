"""The article's headline, not the site's name and without the site's and section's decorations.

A page names its article in several places: `<h1>` (on many pages the site's logo), other headings and
elements classed as a title, `og:title` and its kin, JSON-LD `headline`, `<title>` (mostly
"Headline | Section | Site" or "Site: Headline") and, from outside, the feed entry's title. The choice:

1. the one element marked `itemprop=headline`; else a heading that a title repeats and that holds that
   title's core (its longest piece between separators), the longest such, asking the most trusted
   title first. A logo `<h1>` is rarely in the title, and when it is ("Site | Headline") it does not
   hold the core;
2. else the first title, in the order og:title/twitter:title/JSON-LD, feed entry, `<title>`, with its
   decorations taken off (`strip_decorations`): parts after pipes, "::", "_" or " : " that name the site
   (og:site_name, a host label, a domain) go, the longest remaining part stays; a dash or colon part
   at either end goes only when it names the site, since headlines have dashes and colons too;
3. else the first `<h1>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
# Separators that never occur inside a headline: pipes, double colons, guillemets, slashes, bullets,
# underscores (Chinese portals), " : " with spaces on both sides.
_STRONG = re.compile(r"\s+[|¦•·»«/~]\s+|\s*\|\s*|\s*::+\s*|\s+:\s+|(?<=\S)_(?=\S)")
# Separators that also occur inside headlines ("Flu - what to know"): only cut off a site-like end.
_WEAK = re.compile(r"\s+[-–—]\s+|(?<=[\u3400-\u9fff])-(?=[\u3400-\u9fff])|:\s+")
_DOMAIN_LIKE = re.compile(r"\b[\w-]+\.(?:[a-z]{2,6})\b", re.IGNORECASE)
_TITLE_METAS = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")
_SITE_METAS = ("og:site_name", "application-name", "twitter:site", "publisher")
_GENERIC_HOST_LABELS = frozenset({"www", "m", "mobile", "news", "com", "net", "org", "co", "uk", "info"})
MAX_HEADLINE_CHARS = 300
# Where pages put the headline as an element: h1-h3 and elements whose class names a title.
_HEADING_XPATH = ("//h1 | //h2 | //h3 | //*[contains(@class, 'itle') or contains(@class, 'ITLE')"
                  " or contains(@class, 'eadline')]")
_HEADING_TAGS = frozenset(["h1", "h2", "h3", "div", "span", "td", "p", "a", "b", "strong", "font", "header"])


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


@dataclass(frozen=True)
class Names:
    """What the page calls itself and its article."""

    titles: tuple[str, ...]  # metas and JSON-LD, the feed entry's, <title>: in that order of trust
    headings: tuple[str, ...]  # h1-h3 and elements classed as a title, in page order
    h1s: tuple[str, ...]
    marked: tuple[str, ...]  # elements the markup names the headline (itemprop=headline)
    sites: tuple[str, ...]  # og:site_name and the like, and the host's distinctive labels

    def all_texts(self) -> tuple[str, ...]:
        return self.titles + self.headings + self.marked


def _meta_contents(tree: HtmlElement, keys: tuple[str, ...]) -> list[str]:
    found: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in keys and key not in found and _clean(meta.get("content")):
            found[key] = _clean(meta.get("content"))
    return [found[key] for key in keys if key in found]


def _jsonld_headlines(tree: HtmlElement) -> Iterator[str]:
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        for match in re.finditer(r'"headline"\s*:\s*("(?:[^"\\]|\\.)*")', script):
            try:
                yield _clean(json.loads(match.group(1)))
            except ValueError:
                continue


def _host_labels(url: str) -> list[str]:
    host = (urlsplit(url).hostname or "").lower()
    return [label for label in host.split(".") if len(label) > 2 and label not in _GENERIC_HOST_LABELS]


def _texts(elements: Iterable[HtmlElement]) -> tuple[str, ...]:
    texts = (_clean(element.text_content()) for element in elements)
    return tuple(dict.fromkeys(t for t in texts if t and len(t) <= MAX_HEADLINE_CHARS))


def page_names(tree: HtmlElement, url: str, fallback_title: str = "") -> Names:
    titles = [*_meta_contents(tree, _TITLE_METAS), *_jsonld_headlines(tree), _clean(fallback_title),
              _clean(tree.findtext(".//title"))]
    return Names(
        titles=tuple(dict.fromkeys(t for t in titles if t)),
        headings=_texts(e for e in tree.xpath(_HEADING_XPATH) if e.tag in _HEADING_TAGS),
        h1s=_texts(tree.iter("h1")),
        marked=_texts(tree.xpath("//*[@itemprop='headline'][not(self::meta)]")),
        sites=tuple(dict.fromkeys([*_meta_contents(tree, _SITE_METAS), *_host_labels(url)])),
    )


def _is_site_like(segment: str, sites: tuple[str, ...]) -> bool:
    normal = _normal(segment)
    if not normal or _DOMAIN_LIKE.search(segment):
        return True
    squashed = normal.replace(" ", "")
    for site in sites:
        site_normal = _normal(site)
        if site_normal and (site_normal in normal or normal in site_normal
                            or site_normal.replace(" ", "") in squashed):
            return True
    return False


def _content_segment(title: str, sites: tuple[str, ...]) -> str:
    """The longest part of `title` between strong separators that does not name the site."""
    segments = [s.strip() for s in _STRONG.split(title) if s.strip()]
    content = [s for s in segments if not _is_site_like(s, sites)] or segments
    return max(content, key=len) if content else title


def strip_decorations(title: str, sites: tuple[str, ...]) -> str:
    """The headline inside a title like "Headline | Section | Site" or "Site - Headline"."""
    best = _content_segment(title, sites)
    pieces = [p.strip() for p in _WEAK.split(best) if p.strip()]
    while len(pieces) > 1 and _is_site_like(pieces[-1], sites):
        pieces.pop()
    while len(pieces) > 1 and _is_site_like(pieces[0], sites):
        pieces.pop(0)
    if not pieces:
        return best
    return best[best.find(pieces[0]):best.rfind(pieces[-1]) + len(pieces[-1])].strip()


def _core(title: str, sites: tuple[str, ...]) -> str:
    """The part of a title any headline must contain: its longest piece between any separators."""
    pieces = [p for p in _WEAK.split(_content_segment(title, sites)) if _normal(p)]
    return _normal(max(pieces, key=len)) if pieces else ""


def _confirmed_heading(names: Names) -> str:
    """The one marked headline; else the longest heading that the most trusted title confirming any
    repeats, holding that title's core."""
    if len(names.marked) == 1:
        return names.marked[0]
    for title in names.titles:
        core, whole = _core(title, names.sites), _normal(title)
        confirmed = [h for h in names.headings if core and core in _normal(h) and _normal(h) in whole
                     and not _names_the_site(h, names)]
        if confirmed:
            return max(confirmed, key=len)
    return ""


def _names_the_site(text: str, names: Names) -> bool:
    return _normal(text) in {_normal(site) for site in names.sites}


def choose_headline(names: Names) -> str:
    """The article's headline from what the page (and the feed) call it; "" when nothing does."""
    heading = _confirmed_heading(names)
    if heading:
        return heading
    for title in names.titles:
        stripped = strip_decorations(title, names.sites)
        if stripped and not _names_the_site(stripped, names):
            return stripped
    return names.h1s[0] if names.h1s else ""
