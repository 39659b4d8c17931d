from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.content.canonical import canonicalize_url, resolve_canonical, same_site


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://Example.COM:443/News/Story.html", "https://example.com/News/Story.html"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&igshid=3&ref=home&ref_src=tw&cmpid=4&_ga=5"
     "&yclid=6&spm=7", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1&c=", "https://example.com/a?a=1&b=2&c="),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a?UTM_Campaign=x&page=2", "https://example.com/a?page=2"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("not a url", "not a url"),
])
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize_url("HTTP://WWW.Example.com:80/Path/?z=1&utm_term=q&a=2#top")
    assert once == "http://www.example.com/Path/?a=2&z=1"
    assert canonicalize_url(once) == once


@pytest.mark.parametrize(("page", "href", "expected"), [
    # relative and same-site absolute links are trusted, then canonicalised
    ("https://news.example.com/2019/02/a.html?utm_source=x", "/2019/02/a.html",
     "https://news.example.com/2019/02/a.html"),
    ("https://www.example.com/a?id=1", "https://m.example.com/a?id=1&utm_medium=s", "https://m.example.com/a?id=1"),
    ("https://example.co.uk/story", "https://www.example.co.uk/story#x", "https://www.example.co.uk/story"),
    # other sites, other schemes, the home page and nothing at all fall back to the page URL
    ("https://example.com/a?utm_source=x", "https://other.org/a", "https://example.com/a"),
    ("https://one.co.uk/a", "https://two.co.uk/a", "https://one.co.uk/a"),
    ("https://example.com/a", "javascript:void(0)", "https://example.com/a"),
    ("https://example.com/a", "ftp://example.com/a", "https://example.com/a"),
    ("https://example.com/news/a", "https://example.com/", "https://example.com/news/a"),
    ("https://example.com/a#x", None, "https://example.com/a"),
    ("https://example.com/a", "   ", "https://example.com/a"),
])
def test_resolve_canonical(page: str, href: str | None, expected: str) -> None:
    assert resolve_canonical(page, href) == expected


def test_same_site() -> None:
    assert same_site("https://www.bbc.co.uk/x", "https://bbc.co.uk/y")
    assert not same_site("https://bbc.co.uk/x", "https://cnn.co.uk/y")
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b")


_PART = st.text(alphabet="abcXYZ019-_.~%", min_size=1, max_size=8)


@given(
    scheme=st.sampled_from(["http", "HTTP", "https", "HttpS"]),
    host=st.lists(st.text(alphabet="abcdeXYZ0", min_size=1, max_size=6), min_size=2, max_size=3),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(_PART, max_size=3),
    query=st.lists(st.tuples(st.sampled_from(["utm_source", "id", "Ref", "page", "fbclid", "q"]), _PART),
                   max_size=4),
    fragment=st.sampled_from(["", "#top", "#"]),
)
def test_canonicalize_is_idempotent_and_drops_tracking(scheme: str, host: list[str], port: str,
                                                       path: list[str], query: list[tuple[str, str]],
                                                       fragment: str) -> None:
    qs = "&".join(f"{k}={v}" for k, v in query)
    url = f"{scheme}://{'.'.join(host)}{port}/{'/'.join(path)}{'?' + qs if qs else ''}{fragment}"
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert "#" not in once and "utm_source" not in once and "fbclid" not in once
    assert once.startswith(("http://", "https://")) and once.split("/")[2] == once.split("/")[2].lower()
