"""One demo article page as a typical news CMS renders it (used by build_site)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from monitor.demo.site_labels import LABELS

if TYPE_CHECKING:
    from monitor.demo.build_site import Spec

RTL = {"ar", "fa", "he", "ur"}
Labels = Mapping[str, Any]  # a language's words of the chrome: strings, and tuples of menu entries


def _links(items: Sequence[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "".join(f'<li{attr}><a href="/{i}/">{escape(label)}</a></li>'
                   for i, label in enumerate(items, start=1))


def _head(spec: Spec) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": spec.title,
          "datePublished": spec.published, "inLanguage": spec.language,
          "publisher": {"@type": "Organization", "name": spec.outlet_name}}
    description = escape(spec.paragraphs[0][:150])
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(spec.title)} | {escape(spec.outlet_name)}</title>
<meta name="description" content="{description}">
<link rel="canonical" href="/{spec.slug}.html">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(spec.title)}">
<meta property="og:site_name" content="{escape(spec.outlet_name)}">
<meta property="og:url" content="/{spec.slug}.html">
<meta property="article:published_time" content="{spec.published}">
<link rel="stylesheet" href="/static/{spec.outlet}/main.css" media="all">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "news"}});</script>
</head>"""


def _header(spec: Spec, lab: Labels) -> str:
    return f"""<div id="cookie-notice" class="cookie-banner" role="dialog"><p>{escape(lab["cookie"])}</p>
<button type="button" class="cookie-accept">{escape(lab["accept"])}</button></div>
<header class="site-header">
<div class="top-bar"><span class="date">{spec.published[:10]}</span>
<ul class="social-top"><li><a href="#fb">Facebook</a></li><li><a href="#tw">Twitter</a></li>
<li><a href="#yt">YouTube</a></li></ul></div>
<div class="logo"><a href="/" rel="home">{escape(spec.outlet_name)}</a></div>
<nav class="main-menu" aria-label="menu"><ul><li class="current"><a href="/">{escape(lab["home"])}</a></li>
{_links(lab["sections"], "menu-item")}</ul></nav>
<form class="search-form" action="/search">
<input type="search" name="q" placeholder="{escape(lab["search"])}">
<button type="submit">{escape(lab["search"])}</button></form>
<div class="breaking-ticker"><strong>{escape(lab["breaking"])}:</strong> <a href="/ticker/">{
        escape(lab["others"][0])}</a></div>
</header>"""


def _body(spec: Spec) -> str:
    parts = []
    if "font_widget" in spec.extras:  # the theme's font-size toolbar, printed at the top of the text
        plus, minus = spec.extras["font_widget"]
        parts.append(f'<div class="toolbar"><a class="font-up" href="#">{escape(plus)}</a>\n'
                     f'<a class="font-down" href="#">{escape(minus)}</a></div>')
    if "stylesheet" in spec.extras:  # a theme's broken font include, printed as text into the content
        parts.append("<link href='https://fonts.googleapis.com/css?family=Cairo' rel='stylesheet'>"
                     + escape(spec.extras["stylesheet"][0], quote=False))
    for paragraph in spec.paragraphs:
        tag = "h2" if paragraph in spec.subheads else "p"
        parts.append(f"<{tag}>{escape(paragraph, quote=False)}</{tag}>")
    if "see_also" in spec.extras:  # a "related post" box the CMS injects at the end of the content
        heading, teaser, excerpt = spec.extras["see_also"]
        parts.append(f'<div class="related-inline"><h3 class="block-title">{escape(heading)}</h3>'
                     f'<article class="post-item"><h4><a href="/khashoggi-video/">{escape(teaser)}</a></h4>'
                     f'<p class="excerpt">{escape(excerpt)}</p></article></div>')
    if "corrections" in spec.extras:  # the outlet's corrections/complaints box under every article
        first, last = spec.extras["separators"]
        lines = "".join(f'<p><a href="/corrections/">{escape(line)}</a></p>'
                        for line in spec.extras["corrections"])
        parts.append(f'<p class="sep">{escape(first)}</p><div class="corrections-box">{lines}</div>'
                     f'<p class="sep">{escape(last)}</p>')
    return "\n".join(parts)


def _article(spec: Spec, lab: Labels) -> str:
    follow = spec.extras.get("follow", [lab["share"]])[0]
    return f"""<article class="post type-post single-article">
<h1 class="entry-title">{escape(spec.title)}</h1>
<div class="entry-meta"><span class="byline">{escape(spec.byline or spec.outlet_name)}</span>
<time class="published" datetime="{spec.published}">{spec.published[:10]}</time>
<a class="print-link" href="#print">{escape(lab["print"])}</a></div>
<div class="entry-content">
{_body(spec)}
</div>
<div class="share-box"><span class="share-title">{escape(follow)}</span>
<ul><li><a href="#share-fb">Facebook</a></li><li><a href="#share-tw">Twitter</a></li>
<li><a href="#share-wa">WhatsApp</a></li><li><a href="#share-tg">Telegram</a></li></ul></div>
<div class="post-tags"><span>{escape(lab["tags"])}:</span>
<a href="/tag/1/">{escape(lab["sections"][1])}</a></div>
</article>"""


def _asides(spec: Spec, lab: Labels, related: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="/{slug}.html">{escape(title)}</a></li>' for slug, title in related)
    items += "".join(f'<li><a href="/more/{i}/">{escape(t)}</a></li>' for i, t in enumerate(lab["others"]))
    newsletter = spec.extras.get("newsletter", [lab["newsletter"]])[0]
    return f"""<aside class="related-posts"><h3>{escape(lab["see_also"])}</h3><ul>{items}</ul></aside>
<aside class="sidebar"><div class="widget most-read"><h3>{escape(lab["most_read"])}</h3>
<ol>{"".join(f"<li><a href='/popular/{i}/'>{escape(t)}</a></li>" for i, t in enumerate(lab["others"]))}</ol>
</div><div class="widget newsletter"><h3>{escape(newsletter)}</h3>
<form action="/subscribe"><input type="email" name="email"><button>OK</button></form></div></aside>"""


def _footer(spec: Spec, lab: Labels) -> str:
    extra = "".join(f'<div class="footer-widget">{escape(line)}</div>'
                    for line in spec.extras.get("footer", []))
    return f"""<footer class="site-footer">
<nav class="footer-menu"><ul>{_links(lab["footer"])}</ul></nav>
{extra}
<p class="copyright">© 2019 {escape(spec.outlet_name)}. {escape(lab["rights"])}</p>
</footer>
<script src="/static/{spec.outlet}/app.js" defer></script>"""


def render_page(spec: Spec, related: Sequence[tuple[str, str]]) -> str:
    lab = LABELS[spec.language]
    direction = ' dir="rtl"' if spec.language in RTL else ""
    return f"""<!DOCTYPE html>
<html lang="{spec.language}"{direction}>
{_head(spec)}
<body class="single single-post">
{_header(spec, lab)}
<main id="content" class="site-main">
{_article(spec, lab)}
{_asides(spec, lab, related)}
</main>
{_footer(spec, lab)}
</body>
</html>
"""
