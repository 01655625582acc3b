"""Communities say when their service centre answers (service_hours).

Revision ID: a9f128cef24b
Revises: 8becd07c9534
Create Date: 2026-12-02 18:05:18.539001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'a9f128cef24b'
down_revision: str | None = '8becd07c9534'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('core_community', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
                'service_hours',
                sqlmodel.sql.sqltypes.AutoString(length=11),
                nullable=False,
                server_default='',
            ))



def downgrade() -> None:
    with op.batch_alter_table('core_community', schema=None) as batch_op:
        batch_op.drop_column('service_hours')

