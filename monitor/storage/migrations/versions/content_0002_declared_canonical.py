"""articles.declared_canonical: the canonical link the page's bytes declare ('' for none), so a copy of
those very bytes elsewhere is not parsed again to read it (NULL: not known, as for older rows)

Revision ID: content_0002
Revises: content_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "content_0002"
down_revision = "content_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_canonical", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("declared_canonical")
