"""The field walk: category service standards, early visits the resident agreed to.

Revision ID: d41f7a2c9e10
Revises: 56af3d25197e
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd41f7a2c9e10'
down_revision: str | None = '56af3d25197e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('catalogue_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('orders_order', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('early_accepted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('orders_order', schema=None) as batch_op:
        batch_op.drop_column('early_accepted_at')
    with op.batch_alter_table('catalogue_category', schema=None) as batch_op:
        batch_op.drop_column('checklist')
