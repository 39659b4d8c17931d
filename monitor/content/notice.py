"""A site's notice served in place of its articles: "too many requests from your address", a consent
wall, an error page. One site answers many different articles with the same page, so the text is the
same while the feed names different articles. Stored as articles, those pages are one story of junk,
alerted once, and the articles they stand for are lost; refused, each entry's feed title and summary
stand in for its article (`[content] feed_stand_in`).

A copy on another site (syndication) and a copy under the same name (a mirror, an AMP page) stay
copies: only the same site, the same text and a feed title that names another article make a notice.
"""

from __future__ import annotations

import re

from monitor.content.canonical import same_site

_WORD = re.compile(r"\w{3,}")  # words of three letters or more: particles and numbers do not name
# Below this share of the shorter title's words in common, two titles name different articles.
SAME_NAME_SHARE = 0.5


def _words(title: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(title)}


def names_another_article(feed_title: str, stored_title: str) -> bool:
    """Whether the feed's title and a stored article's title name different articles (False when
    either says too little to tell)."""
    feed, stored = _words(feed_title), _words(stored_title)
    if not feed or not stored:
        return False
    return len(feed & stored) < SAME_NAME_SHARE * min(len(feed), len(stored))


def site_notice(url: str, feed_title: str, stored_url: str, stored_title: str) -> str | None:
    """Why the page at `url`, whose text is that of the stored article at `stored_url`, is the site's
    notice and not the article the feed names `feed_title`; None when it is a copy."""
    if url == stored_url or not same_site(url, stored_url) or not names_another_article(feed_title,
                                                                                        stored_title):
        return None
    return (f"the same text as {stored_url}, an article the feed names otherwise: a notice of the site "
            "(too many requests, a consent or error page), not this article")
