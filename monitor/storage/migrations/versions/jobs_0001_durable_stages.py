"""Every stage a durable job: articles wait for a story, stories wait to be matched, in the database

articles.story_state (pending -> placed | failed), story_attempts, story_error, story_lease_*: the stories
job's queue (leased, so replicas embed different articles).
articles.placed_seq: the order in which articles were placed (the story windows of all replicas follow it).
articles.story_shared: the names, places and numbers behind a "similar" decision.
articles.page_hash: of the page's bytes, so the same page under another URL is not extracted again.
articles.passage_vector: the article as `about` watchlists compare it, embedded once (re-matches reuse it).
stories.change_seq / matched_seq: a story whose change counter is ahead of what was matched waits for the
match job, which leases it (match_lease_*) and records failures (match_attempts, match_error).
Rows that exist already are placed and matched.

Revision ID: jobs_0001
Revises: stories_0001, service_0001, ingest_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.storage.types

revision = "jobs_0001"
down_revision = ("stories_0001", "service_0001", "ingest_0001")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_state", sa.String(length=16), nullable=False,
                                      server_default="placed"))
        batch_op.add_column(sa.Column("story_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("story_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("story_lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("story_lease_expires_at",
                                      monitor.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("placed_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("story_shared", monitor.storage.types.JSONText(), nullable=True))
        batch_op.add_column(sa.Column("page_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("passage_vector", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_articles_page_hash", ["page_hash"], unique=False)
        batch_op.create_index("ix_articles_story_state", ["story_state"], unique=False)
        batch_op.create_index("ix_articles_placed_seq", ["placed_seq"], unique=False)
    op.execute("UPDATE articles SET placed_seq = id")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("matched_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("match_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("match_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("match_lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("match_lease_expires_at",
                                      monitor.storage.types.UTCDateTime(timezone=True), nullable=True))
    op.create_index("ix_stories_to_match", "stories", ["id"], unique=False,
                    sqlite_where=sa.text("change_seq > matched_seq"),
                    postgresql_where=sa.text("change_seq > matched_seq"))


def downgrade() -> None:
    op.drop_index("ix_stories_to_match", table_name="stories")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        for column in ("match_lease_expires_at", "match_lease_owner", "match_error", "match_attempts",
                       "matched_seq", "change_seq"):
            batch_op.drop_column(column)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_page_hash")
        batch_op.drop_index("ix_articles_placed_seq")
        batch_op.drop_index("ix_articles_story_state")
        for column in ("passage_vector", "page_hash", "story_shared", "placed_seq", "story_lease_expires_at", "story_lease_owner",
                       "story_error", "story_attempts", "story_state"):
            batch_op.drop_column(column)
