"""A payroll batch is marked paid when the bank has paid it (from the console).

Revision ID: 5a40047ad75f
Revises: 385d52fd30d0
Create Date: 2026-12-03 20:50:20.673275
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5a40047ad75f'
down_revision: str | None = '385d52fd30d0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('fulfilment_payout_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_fulfilment_payout_batch_paid_by_core_user'), 'core_user', ['paid_by'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('fulfilment_payout_batch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_fulfilment_payout_batch_paid_by_core_user'), type_='foreignkey')
        batch_op.drop_column('paid_by')
        batch_op.drop_column('paid_at')

