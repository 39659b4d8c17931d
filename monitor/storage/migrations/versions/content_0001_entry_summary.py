"""entries.summary: the feed's own text of an entry, the article's stand-in when its page fails for good

Revision ID: content_0001
Revises: jobs_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "content_0001"
down_revision = "jobs_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("summary")
