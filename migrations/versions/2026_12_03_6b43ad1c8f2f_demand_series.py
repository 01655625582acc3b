"""Demand series (phase 3): weekly pieces per item or category and compound, and their forecasts.

Revision ID: 6b43ad1c8f2f
Revises: 7cc87ee90097
Create Date: 2026-12-03 16:03:49.904403
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '6b43ad1c8f2f'
down_revision: str | None = '7cc87ee90097'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('orders_demand_forecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('made_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('pattern', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('wape', sa.Float(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_demand_forecast_community_id_core_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_demand_forecast')),
    sa.UniqueConstraint('community_id', 'series', name=op.f('uq_orders_demand_forecast_community_id_series'))
    )
    with op.batch_alter_table('orders_demand_forecast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_demand_forecast_community_id'), ['community_id'], unique=False)

    op.create_table('orders_demand_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_demand_week_community_id_core_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_demand_week')),
    sa.UniqueConstraint('community_id', 'series', 'week', name=op.f('uq_orders_demand_week_community_id_series_week'))
    )
    with op.batch_alter_table('orders_demand_week', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_demand_week_community_id'), ['community_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orders_demand_week', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_demand_week_community_id'))

    op.drop_table('orders_demand_week')
    with op.batch_alter_table('orders_demand_forecast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_demand_forecast_community_id'))

    op.drop_table('orders_demand_forecast')
