"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 06:12:53.039155
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.storage.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('site_url', sa.Text(), nullable=True),
    sa.Column('tags', monitor.storage.types.JSONText(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('disabled_reason', sa.Text(), nullable=True),
    sa.Column('interval_seconds', sa.Integer(), nullable=True),
    sa.Column('current_interval_seconds', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('next_check_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_checked_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_new_entry_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('warning', sa.Text(), nullable=True),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feeds')),
    sa.UniqueConstraint('name', name=op.f('uq_feeds_name'))
    )
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.create_index('ix_feeds_due', ['enabled', 'next_check_at'], unique=False)

    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('first_seen_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('article_count', sa.Integer(), nullable=False),
    sa.Column('languages', monitor.storage.types.JSONText(), nullable=False),
    sa.Column('sources', monitor.storage.types.JSONText(), nullable=False),
    sa.Column('centroid', sa.LargeBinary(), nullable=True),
    sa.Column('alerted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_last_seen', ['last_seen_at'], unique=False)

    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canonical_url', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('published_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('simhash', sa.BigInteger(), nullable=True),
    sa.Column('vector', sa.LargeBinary(), nullable=True),
    sa.Column('vector_model', sa.String(length=100), nullable=True),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('story_score', sa.Float(), nullable=True),
    sa.Column('story_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], name=op.f('fk_articles_feed_id_feeds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_articles_story_id_stories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('canonical_url', name='uq_articles_canonical_url')
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_fetched_at', ['fetched_at'], unique=False)
        batch_op.create_index('ix_articles_story_id', ['story_id'], unique=False)
        batch_op.create_index('ix_articles_text_hash', ['text_hash'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('watchlist', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('update_seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('payload', monitor.storage.types.JSONText(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('created_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_outbox_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('story_id', 'watchlist', 'channel', 'update_seq', name='uq_outbox_alert')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['state', 'next_attempt_at'], unique=False)

    op.create_table('story_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('watchlist', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', monitor.storage.types.JSONText(), nullable=False),
    sa.Column('matched_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_matches_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_matches')),
    sa.UniqueConstraint('story_id', 'watchlist', name='uq_story_matches_story_watchlist')
    )
    op.create_table('entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('published_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seen_at', monitor.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_entries_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], name=op.f('fk_entries_feed_id_feeds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entries')),
    sa.UniqueConstraint('feed_id', 'key', name='uq_entries_feed_key')
    )
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_status', ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_status')

    op.drop_table('entries')
    op.drop_table('story_matches')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_text_hash')
        batch_op.drop_index('ix_articles_story_id')
        batch_op.drop_index('ix_articles_fetched_at')

    op.drop_table('articles')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_last_seen')

    op.drop_table('stories')
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_index('ix_feeds_due')

    op.drop_table('feeds')
