"""Settings of the content stage (extraction); mounted by the lead under `[content]` in the root config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ContentSettings(BaseModel):
    """How `extract_article` turns a fetched page into an article.

    The defaults are the ones measured by `python -m bench.extraction`; change them only with a new
    measurement.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Below this many characters of main text the page is not an article (index, paywall, error page).
    min_text_chars: int = Field(default=200, ge=0)
    # trafilatura knobs: precision drops more borderline blocks, recall keeps more. Precision measured
    # best on both benchmarks (F1 0.948 -> 0.967 on scrapinghub_aeb, 0.870 -> 0.893 on daniel).
    favor_precision: bool = True
    favor_recall: bool = False
    # When the precision text is shorter than this and a recall pass finds 1/ratio times more, take that
    # (+0.006 F1 on daniel, no change on scrapinghub_aeb; the second pass runs on a few % of pages).
    recall_rescue_below_chars: int = Field(default=500, ge=0)
    recall_rescue_ratio: float = Field(default=0.3, ge=0.0, le=1.0)
    include_tables: bool = True
    # Drop paragraphs repeated inside the same page (a per-call cache, never trafilatura's global one).
    # Off by default: trafilatura's body-level check then discards single-block articles whole.
    deduplicate: bool = False
    # Post-filter of boilerplate lines trafilatura leaves in (font widgets, share/see-also blocks, ...).
    strip_boilerplate: bool = True
    # readability-lxml votes on trafilatura's text: cuts the link-list tail readability leaves out, adds
    # long paragraphs trafilatura skipped (vote.py). F1 0.906 -> 0.922 on daniel, 0.970 -> 0.975 on
    # scrapinghub_aeb (with drop_link_lines on); costs about 11-13 ms of CPU a page.
    second_opinion: bool = True
    # Drop lines made of the page's link text (menus, teaser lists): 0.921 -> 0.922 on daniel,
    # 0.973 -> 0.975 on scrapinghub_aeb (with second_opinion on); ~1 ms a page.
    drop_link_lines: bool = True
    # A page given up on (blocked, paywalled, no text) becomes an article of the feed's own title and
    # summary, so its story is still placed and alerted; off: the entry is only recorded as failed.
    feed_stand_in: bool = True
    # Language detection below this probability answers None rather than guess.
    min_language_confidence: float = Field(default=0.8, ge=0.0, le=1.0)
