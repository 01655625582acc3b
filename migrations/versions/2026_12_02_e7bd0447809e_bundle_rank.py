"""Bundles carry their suppliers' scorecard figure (rank), for listings and search.

Revision ID: e7bd0447809e
Revises: 109141655983
Create Date: 2026-12-02 18:28:19.475338
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e7bd0447809e'
down_revision: str | None = '109141655983'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('catalogue_bundle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('catalogue_bundle', schema=None) as batch_op:
        batch_op.drop_column('rank')

