"""One event row for every process (the kernel's engine): wider columns, data for suppliers

Revision ID: 7f79dcb7a6b0
Revises: e7bd0447809e
Create Date: 2026-12-03 11:34:40.728375
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '7f79dcb7a6b0'
down_revision: str | None = 'e7bd0447809e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('fulfilment_request_event', schema=None) as batch_op:
        batch_op.alter_column('actor_role',
               existing_type=sa.VARCHAR(length=12),
               type_=sqlmodel.sql.sqltypes.AutoString(length=20),
               existing_nullable=False)
        batch_op.alter_column('action',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=30),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sa.VARCHAR(length=10),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)
        batch_op.alter_column('to_status',
               existing_type=sa.VARCHAR(length=10),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)

    with op.batch_alter_table('fulfilment_task_event', schema=None) as batch_op:
        batch_op.alter_column('actor_role',
               existing_type=sa.VARCHAR(length=12),
               type_=sqlmodel.sql.sqltypes.AutoString(length=20),
               existing_nullable=False)
        batch_op.alter_column('action',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=30),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sa.VARCHAR(length=10),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)
        batch_op.alter_column('to_status',
               existing_type=sa.VARCHAR(length=10),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)

    with op.batch_alter_table('orders_event', schema=None) as batch_op:
        batch_op.alter_column('actor_role',
               existing_type=sa.VARCHAR(length=12),
               type_=sqlmodel.sql.sqltypes.AutoString(length=20),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)
        batch_op.alter_column('to_status',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=24),
               existing_nullable=False)

    with op.batch_alter_table('suppliers_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=False, server_default='{}'))



def downgrade() -> None:
    with op.batch_alter_table('suppliers_event', schema=None) as batch_op:
        batch_op.drop_column('data')

    with op.batch_alter_table('orders_event', schema=None) as batch_op:
        batch_op.alter_column('to_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.alter_column('actor_role',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
               type_=sa.VARCHAR(length=12),
               existing_nullable=False)

    with op.batch_alter_table('fulfilment_task_event', schema=None) as batch_op:
        batch_op.alter_column('to_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False)
        batch_op.alter_column('action',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=30),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.alter_column('actor_role',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
               type_=sa.VARCHAR(length=12),
               existing_nullable=False)

    with op.batch_alter_table('fulfilment_request_event', schema=None) as batch_op:
        batch_op.alter_column('to_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False)
        batch_op.alter_column('from_status',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False)
        batch_op.alter_column('action',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=30),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.alter_column('actor_role',
               existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
               type_=sa.VARCHAR(length=12),
               existing_nullable=False)

