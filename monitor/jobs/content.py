"""The content job: new entries -> fetch page -> extract -> an article waiting for a story.

Copies cost no extraction: an entry whose link is a stored article's is done without a fetch, and a
page whose bytes are those of a stored page reuses that page's text. A wire story reaches many feeds
at once, so a copy often arrives while its first page is still being extracted: it waits for that
page to be stored rather than extracting the same bytes beside it. The same text on the same site
under a feed title that names another article is the site's notice, not a copy (notice.py): the
feed's text stands in for it.

Entries are leased, so replicas split the pages. Each entry is finished on its own (its article and
its new state in one transaction): a failure is recorded on that entry and the others go on. A
fetch failure is retried when the lease runs out, an unusable page is final at once, and anything
unexpected is final after `[jobs] max_attempts`.

A page given up on does not lose its story: the feed's own title and summary stand in for it (a site
that blocks crawlers, a paywall, a page of script), unless `[content] feed_stand_in` is off. The
entry stays "failed", with its error, so the feed's page failures still show.

Pages are extracted one at a time, on a thread of the job's own: libxml2 is not safe in two threads at
once (monitor/libxml2_lock.py), and a claim's pages waiting on its lock in the shared worker threads
would hold back the other jobs' steps queued behind them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine

from monitor.clock import Clock
from monitor.content.canonical import canonicalize_url, declared_canonical, resolve_canonical
from monitor.content.fetch import fetch_page
from monitor.content.settings import ContentSettings
from monitor.errors import ExtractionError, FetchError
from monitor.jobs.report import JobReport
from monitor.jobs.settings import JobSettings
from monitor.models import Article, Page, PendingEntry
from monitor.net.http import HttpFetcher
from monitor.service.metrics import Metrics
from monitor.storage import articles as article_repo
from monitor.storage.db import reading
from monitor.storage.entries import claim_pending_entries, mark_entry_done, mark_entry_failed

log = logging.getLogger(__name__)
_EXTRACTION = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")  # no thread until used


@dataclass(frozen=True)
class ContentContext:
    db: Engine
    fetcher: HttpFetcher
    clock: Clock
    settings: ContentSettings
    jobs: JobSettings
    owner: str
    metrics: Metrics


@dataclass(frozen=True)
class _Outcome:
    stored: bool = False  # a new article
    duplicate: bool = False  # the page is stored already (another feed or entry)
    error: str | None = None
    stand_in: bool = False  # the page failed for good; the feed's text became the article
    cpu: float = 0.0  # of the extraction thread


async def run_content(ctx: ContentContext) -> JobReport:
    """Fetch and extract one claim of new entries (also those a crash left behind)."""
    pending = await asyncio.to_thread(_claim, ctx)
    if pending:
        log.info("job started", extra={"job": "content", "items": len(pending)})
    in_hand: dict[str, asyncio.Lock] = {}  # by page hash: the same bytes are extracted once a claim
    outcomes = await asyncio.gather(*(_process(ctx, entry, in_hand) for entry in pending))
    errors = tuple(f"{e.feed_name}: {o.error}" for e, o in zip(pending, outcomes, strict=True) if o.error)
    return JobReport("content", done=sum(o.stored or o.duplicate for o in outcomes), failed=len(errors),
                     more=len(pending) >= ctx.jobs.content_batch, errors=errors,
                     cpu_seconds=sum(o.cpu for o in outcomes),
                     counts={"articles": sum(o.stored for o in outcomes),
                             "duplicates": sum(o.duplicate for o in outcomes),
                             "feed_stand_ins": sum(o.stand_in for o in outcomes)})


def _claim(ctx: ContentContext) -> list[PendingEntry]:
    with ctx.db.begin() as conn:
        return claim_pending_entries(conn, now=ctx.clock.now(), owner=ctx.owner,
                                     limit=ctx.jobs.content_batch, lease_seconds=ctx.jobs.lease_seconds)


async def _process(ctx: ContentContext, entry: PendingEntry, in_hand: dict[str, asyncio.Lock]) -> _Outcome:
    final_attempt = entry.attempts + 1 >= ctx.jobs.max_attempts
    if not entry.url:
        return await asyncio.to_thread(_fail, ctx, entry, "entry has no link", True)
    try:
        known = await asyncio.to_thread(_stored_already, ctx, entry, entry.url)
        if known is not None:
            return known
        page = await fetch_page(ctx.fetcher, entry.url)
        page_hash = hashlib.sha256(page.body).hexdigest()  # on the loop: a page of 100 KB takes 0.1 ms
        async with in_hand.setdefault(page_hash, asyncio.Lock()):  # the next finds this one stored
            return await asyncio.get_running_loop().run_in_executor(
                _EXTRACTION, _extract_and_store, ctx, entry, page, page_hash)
    except FetchError as exc:
        return await asyncio.to_thread(_fail, ctx, entry, str(exc), final_attempt)
    except ExtractionError as exc:
        return await asyncio.to_thread(_fail, ctx, entry, str(exc), True)
    except Exception as exc:  # a bug or a page no rule foresaw: this entry's problem only
        log.exception("page processing failed", extra={"entry_id": entry.id, "url": entry.url})
        return await asyncio.to_thread(_fail, ctx, entry, f"unexpected {type(exc).__name__}: {exc}",
                                       final_attempt)


def _stored_already(ctx: ContentContext, entry: PendingEntry, url: str) -> _Outcome | None:
    """The entry links a page stored already (another feed carries the same story): nothing to fetch."""
    with reading(ctx.db) as conn:  # most entries are new: their lookup takes no write lock
        found = article_repo.find_by_canonical_url(conn, canonicalize_url(url))
    if found is None:
        return None
    with ctx.db.begin() as conn:
        mark_entry_done(conn, entry.id, found[0])
    return _Outcome(duplicate=True)


def _extract_and_store(ctx: ContentContext, entry: PendingEntry, page: Page, page_hash: str) -> _Outcome:
    """The page's article; the very same bytes stored under another URL (a mirror, a syndication
    partner) give their article's text again, without extracting it again."""
    start = time.thread_time()
    with reading(ctx.db) as conn:
        copy = article_repo.find_by_page_hash(conn, page_hash)
    if copy is not None:
        declared = _declared(page, copy)
        article = Article(url=page.url, canonical_url=resolve_canonical(page.url, declared),
                          title=copy.title, text=copy.text, language=copy.language,
                          published=copy.published or entry.published, source=entry.feed_name,
                          tags=entry.feed_tags, declared_canonical=declared or "")
        keys = copy.text_hash, copy.simhash
        return replace(_store(ctx, entry, article, keys, page_hash, same_text=copy),
                       cpu=time.thread_time() - start)
    from monitor.content.extract import extract_article  # trafilatura, numpy: not for a cycle of copies
    from monitor.stories import fingerprint

    article = extract_article(page, source=entry.feed_name, tags=entry.feed_tags,
                              fallback_title=entry.title, fallback_published=entry.published,
                              settings=ctx.settings)
    keys = fingerprint.keys(article.title, article.text)
    return replace(_store(ctx, entry, article, keys, page_hash), cpu=time.thread_time() - start)


def _declared(page: Page, copy: article_repo.KnownPage) -> str | None:
    """The canonical address the copy's bytes declare: as read when the same bytes were first
    extracted. For an article stored before that was kept, a stored canonical address other than the
    stored page's own is what they declared; one equal to it may be declared or the default, and
    only the markup tells (a page that names itself canonical makes its mirrors that article)."""
    if copy.declared_canonical is not None:  # parsing a page of 175 KiB again cost 1.5 ms
        return copy.declared_canonical or None
    if copy.canonical_url != canonicalize_url(copy.url):
        return copy.canonical_url
    return declared_canonical(page)


def _refuse_site_notice(conn: Connection, entry: PendingEntry, article: Article, text_hash: str,
                        stored: article_repo.KnownPage | None) -> None:
    """Raises ExtractionError when the page is its site's notice (notice.py), not the entry's article.
    `stored`: an article with this text found already (the same bytes), else it is looked up."""
    from monitor.content.notice import site_notice

    stored = stored or article_repo.find_by_text_hash(conn, text_hash)
    if stored is None or stored.canonical_url == article.canonical_url:  # the page says it is that article
        return
    reason = site_notice(article.url, entry.title, stored.url, stored.title)
    if reason is not None:
        raise ExtractionError(article.url, reason)


def _store(ctx: ContentContext, entry: PendingEntry, article: Article, keys: tuple[str, int | None],
           page_hash: str | None, *, failed: str | None = None,
           same_text: article_repo.KnownPage | None = None) -> _Outcome:
    """Store `article` and finish its entry. With `failed` the page was given up on with that error and
    `article` is the feed's stand-in: the entry stays failed and points at it. `same_text`: the stored
    article whose page had the same bytes."""
    text_hash, simhash = keys
    with ctx.db.begin() as conn:
        if failed is None:  # in the writing transaction: on SQLite, pages extracted side by side meet here
            _refuse_site_notice(conn, entry, article, text_hash, same_text)
        article_id, created = article_repo.insert_pending(
            conn, article, feed_id=entry.feed_id, text_hash=text_hash, simhash=simhash, now=ctx.clock.now(),
            page_hash=page_hash)
        if failed is None:
            mark_entry_done(conn, entry.id, article_id)
        else:
            mark_entry_failed(conn, entry.id, failed, final=True, stand_in=article_id)
    if created:
        ctx.metrics.articles_added.inc()
        log.info("article stored", extra={"article_id": article_id, "feed": entry.feed_name,
                                          "from_feed": failed is not None})
    return _Outcome(stored=created, duplicate=not created)


def _fail(ctx: ContentContext, entry: PendingEntry, error: str, final: bool) -> _Outcome:
    log.warning("page skipped", extra={"feed_id": entry.feed_id, "feed": entry.feed_name, "final": final,
                                       "entry_id": entry.id, "url": entry.url, "error": error})
    ctx.metrics.error("page")
    stand_in = _feed_article(ctx, entry) if final and ctx.settings.feed_stand_in else None
    if stand_in is None:
        with ctx.db.begin() as conn:
            mark_entry_failed(conn, entry.id, error, final=final)
        return _Outcome(error=error)
    from monitor.stories import fingerprint

    keys = fingerprint.keys(stand_in.title, stand_in.text)
    return _Outcome(error=error, stand_in=_store(ctx, entry, stand_in, keys, None, failed=error).stored)


def _feed_article(ctx: ContentContext, entry: PendingEntry) -> Article | None:
    """The entry as its feed tells it (title and summary), when the feed tells enough."""
    if not entry.url or not entry.title.strip():
        return None
    from monitor.content.language import choose_language

    title, text = entry.title.strip(), entry.summary.strip()
    language = choose_language(None, f"{title}\n{text}", ctx.settings.min_language_confidence)
    return Article(url=entry.url, canonical_url=canonicalize_url(entry.url), title=title, text=text,
                   language=language, published=entry.published, source=entry.feed_name, tags=entry.feed_tags)
