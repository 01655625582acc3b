"""Why a task failed, as a cause the measures read (outside the staff member's control or not).

Revision ID: b24c26ae6948
Revises: 0ca68ff06e48
Create Date: 2026-12-03 20:16:21.852133
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'b24c26ae6948'
down_revision: str | None = '0ca68ff06e48'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('fulfilment_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fail_cause', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('fulfilment_task', schema=None) as batch_op:
        batch_op.drop_column('fail_cause')

