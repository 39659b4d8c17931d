"""The schema. Migrations in `migrations/versions` create it; this module is what code queries.

Idempotency lives here as unique constraints, not in memory: an entry once per (feed, key), an
article once per canonical URL, an alert once per (story, watchlist, channel, update_seq).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from monitor.storage.types import JSONText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    # The URL the config gave (NULL for feeds added by hand): a 301 moves `url`, not this.
    Column("config_url", Text),
    Column("site_url", Text),
    Column("tags", JSONText, nullable=False, default=list),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("disabled_reason", Text),
    Column("interval_seconds", Integer),  # per-feed override
    Column("current_interval_seconds", Integer),  # adaptive interval in force
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_check_at", UTCDateTime, nullable=False),
    Column("last_checked_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_new_entry_at", UTCDateTime),
    Column("last_status", Integer),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("warning", Text),  # e.g. malformed XML from which entries were still recovered
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_feeds_due", "enabled", "next_check_at"),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("url", Text),
    Column("title", Text, nullable=False, default=""),
    Column("summary", Text),  # the feed's text: the article's stand-in if the page fails for good
    Column("published_at", UTCDateTime),
    Column("seen_at", UTCDateTime, nullable=False),
    # new -> done | failed (page could not be fetched or extracted; error says why)
    Column("status", String(16), nullable=False, default="new"),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    # A replica fetching the page holds it until then (storage.entries); expired = free again.
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    UniqueConstraint("feed_id", "key", name="uq_entries_feed_key"),
    Index("ix_entries_status", "status"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("article_count", Integer, nullable=False, default=0),
    Column("languages", JSONText, nullable=False, default=list),
    Column("sources", JSONText, nullable=False, default=list),
    Column("alerted", Boolean, nullable=False, default=False),  # alerted stories keep their id
    # The match job's queue: every change (a member, a merge) bumps change_seq; matching records the
    # change_seq it saw, so a story that changed meanwhile stays to match.
    Column("change_seq", Integer, nullable=False, default=0),
    Column("matched_seq", Integer, nullable=False, default=0),
    Column("match_attempts", Integer, nullable=False, default=0),  # failed matchings since the last change
    Column("match_error", Text),
    Column("match_lease_owner", String(100)),
    Column("match_lease_expires_at", UTCDateTime),
    Index("ix_stories_last_seen", "last_seen_at"),
    Index("ix_stories_to_match", "id", sqlite_where=text("change_seq > matched_seq"),
          postgresql_where=text("change_seq > matched_seq")),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("canonical_url", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("source", String(200), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("published_at", UTCDateTime),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("text_hash", String(64), nullable=False),  # hash of normalised text: exact duplicates
    Column("simhash", BigInteger),  # near duplicates (same language wire copies)
    Column("vector", LargeBinary),  # float32 embedding, computed once
    Column("vector_model", String(100)),
    # The article as `about` watchlists read it (a "passage" embedding, same model): embedded once.
    Column("passage_vector", LargeBinary),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("story_score", Float),  # similarity that put it in its story (1.0 = duplicate)
    Column("story_reason", String(32)),  # "new", "text-duplicate", "near-duplicate", "similar"
    Column("story_shared", JSONText),  # names, places, numbers behind a "similar" decision
    Column("page_hash", String(64)),  # of the fetched bytes: the same page elsewhere is not extracted again
    # The canonical link those bytes declare, "" for none; NULL when not known (a feed's stand-in, a row
    # stored before it was kept). A copy of the bytes takes it instead of parsing the page again.
    Column("declared_canonical", Text),
    # The stories job's queue: pending -> placed | failed (after max attempts; story_error says why).
    Column("story_state", String(16), nullable=False, default="pending"),
    Column("story_attempts", Integer, nullable=False, default=0),
    Column("story_error", Text),
    Column("story_lease_owner", String(100)),  # replicas embed different articles
    Column("story_lease_expires_at", UTCDateTime),
    Column("placed_seq", Integer),  # placement order: every replica's story window follows it
    UniqueConstraint("canonical_url", name="uq_articles_canonical_url"),
    Index("ix_articles_text_hash", "text_hash"),
    Index("ix_articles_story_id", "story_id"),
    Index("ix_articles_fetched_at", "fetched_at"),
    Index("ix_articles_story_state", "story_state"),
    Index("ix_articles_placed_seq", "placed_seq"),
    Index("ix_articles_page_hash", "page_hash"),
)

story_matches = Table(
    "story_matches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("watchlist", String(200), nullable=False),
    Column("score", Float, nullable=False, default=0.0),
    Column("explanation", JSONText, nullable=False, default=list),  # list of Hit dicts
    Column("matched_at", UTCDateTime, nullable=False),
    UniqueConstraint("story_id", "watchlist", name="uq_story_matches_story_watchlist"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("watchlist", String(200), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("update_seq", Integer, nullable=False, default=0),  # 0 = first alert, 1.. = updates
    Column("kind", String(16), nullable=False, default="instant"),  # instant | digest
    # pending -> sending -> sent | failed (after max attempts); stays visible either way
    Column("state", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("message_id", String(255), nullable=False),  # stable identity of every (re)send
    Column("payload", JSONText, nullable=False, default=dict),  # explanation etc. at plan time
    Column("digest_id", Integer),  # set when folded into a digest message
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UTCDateTime),
    UniqueConstraint("story_id", "watchlist", "channel", "update_seq", name="uq_outbox_alert"),
    Index("ix_outbox_due", "state", "next_attempt_at"),
)
