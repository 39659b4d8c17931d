"""libxml2 is entered by one thread at a time (monitor/libxml2_lock.py).

Without the lock, eight threads extracting pages side by side crashed about one process in 75
(`bench/extraction_threads.py --unguarded`): too rare for a test to see in its time. These tests check
what the fix rests on instead: every entry point of ours into lxml waits for the lock, and a tree in a
failed call's frames is freed before the lock is let go.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.content.canonical import declared_canonical
from monitor.content.extract import extract_article
from monitor.ingest.plain_rss import read_plain_rss
from monitor.libxml2_lock import _LOCK, one_thread_in_libxml2
from monitor.models import Page

SITE = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "site"
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x/</link>'
       b"<description>d</description><item><title>a</title><link>http://x/a</link></item></channel></rss>")


def _page() -> Page:
    body = (SITE / "en-baghouz-encampment.html").read_bytes()
    return Page(url="http://x/a", requested_url="http://x/a", status=200, content_type="text/html", body=body)


ENTRY_POINTS: dict[str, Callable[[], object]] = {
    "extract_article": lambda: extract_article(_page()),
    "declared_canonical": lambda: declared_canonical(_page()),
    "read_plain_rss": lambda: read_plain_rss(RSS),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_each_entry_point_waits_while_another_thread_is_in_libxml2(name: str) -> None:
    call = ENTRY_POINTS[name]
    call()  # imports done outside the timing below
    done = threading.Event()
    worker = threading.Thread(target=lambda: (call(), done.set()))
    with _LOCK:
        worker.start()
        assert not done.wait(0.3), f"{name} ran while another thread held the libxml2 lock"
    assert done.wait(30), f"{name} did not run once the lock was free"
    worker.join()


class _Tree:
    """Stands in for an lxml tree (lxml's elements take no weak references)."""


def test_a_failed_calls_trees_are_freed_before_the_lock_is_let_go() -> None:
    alive: list[weakref.ref[_Tree]] = []
    freed_under_lock: list[bool] = []

    @one_thread_in_libxml2
    def parse_then_fail() -> None:
        tree = _Tree()
        alive.append(weakref.ref(tree))
        weakref.finalize(tree, lambda: freed_under_lock.append(_LOCK._is_owned()))  # type: ignore[attr-defined]
        raise ValueError("unparseable")

    gc.disable()  # the frame, not a collection, must let go of the tree
    try:
        with pytest.raises(ValueError, match="unparseable") as caught:
            parse_then_fail()
        assert alive[0]() is None, "the traceback still holds the failed call's tree"
        assert freed_under_lock == [True]
        assert any(entry.name == "parse_then_fail" for entry in caught.traceback), "the traceback was lost"
    finally:
        gc.enable()


def test_the_lock_can_be_taken_again_by_the_thread_that_holds_it() -> None:
    results: list[str | None] = []

    @one_thread_in_libxml2
    def outer() -> None:
        results.append(declared_canonical(_page()))  # guarded too

    worker = threading.Thread(target=outer, daemon=True)  # a plain lock would hang it for good
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "a guarded call inside a guarded call waited for itself"
    assert results == [declared_canonical(_page())]


def test_the_event_loop_can_tell_that_another_thread_is_in_libxml2() -> None:
    from monitor.libxml2_lock import held_elsewhere

    assert not held_elsewhere()
    inside, leave = threading.Event(), threading.Event()

    @one_thread_in_libxml2
    def parse() -> None:
        inside.set()
        leave.wait(30)

    worker = threading.Thread(target=parse)
    worker.start()
    assert inside.wait(30)
    try:
        assert held_elsewhere()
    finally:
        leave.set()
        worker.join()
    assert not held_elsewhere()
