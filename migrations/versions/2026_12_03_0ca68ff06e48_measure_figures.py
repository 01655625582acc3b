"""Measures (issue 13): the monthly figures of the seven parties, per scope.

Revision ID: 0ca68ff06e48
Revises: c0b55471ad3b
Create Date: 2026-12-03 20:08:21.763181
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0ca68ff06e48'
down_revision: str | None = 'c0b55471ad3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('core_measure_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('order_ids', sa.JSON(), nullable=False),
    sa.Column('made_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_measure_figure')),
    sa.UniqueConstraint('month', 'measure', 'scope', 'scope_id', name=op.f('uq_core_measure_figure_month_measure_scope_scope_id'))
    )
    with op.batch_alter_table('core_measure_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_measure_figure_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_measure_figure_month'), ['month'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('core_measure_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_measure_figure_month'))
        batch_op.drop_index(batch_op.f('ix_core_measure_figure_measure'))

    op.drop_table('core_measure_figure')
