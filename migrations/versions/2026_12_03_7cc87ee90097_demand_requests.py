"""Demand requests (phase 3): demands grouped per compound, the households' requests, events.

Revision ID: 7cc87ee90097
Revises: 7f79dcb7a6b0
Create Date: 2026-12-03 15:46:36.242390
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '7cc87ee90097'
down_revision: str | None = '7f79dcb7a6b0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('orders_demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('answer_bundle_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'answered', 'declined', 'batched')", name=op.f('ck_orders_demand_status_known')),
    sa.CheckConstraint('households >= 0', name=op.f('ck_orders_demand_households_not_negative')),
    sa.ForeignKeyConstraint(['answer_bundle_id'], ['catalogue_bundle.id'], name=op.f('fk_orders_demand_answer_bundle_id_catalogue_bundle')),
    sa.ForeignKeyConstraint(['category_id'], ['catalogue_category.id'], name=op.f('fk_orders_demand_category_id_catalogue_category')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_demand_community_id_core_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_demand'))
    )
    with op.batch_alter_table('orders_demand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_demand_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_demand_status'), ['status'], unique=False)

    op.create_table('orders_demand_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_orders_demand_event_actor_id_core_user')),
    sa.ForeignKeyConstraint(['demand_id'], ['orders_demand.id'], name=op.f('fk_orders_demand_event_demand_id_orders_demand')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_demand_event'))
    )
    with op.batch_alter_table('orders_demand_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_demand_event_demand_id'), ['demand_id'], unique=False)

    op.create_table('orders_demand_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('wanted_by', sa.Date(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("frequency IN ('once', 'weekly', 'monthly')", name=op.f('ck_orders_demand_request_frequency_known')),
    sa.CheckConstraint("source IN ('storefront', 'touchpoint', 'api', 'support')", name=op.f('ck_orders_demand_request_source')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_orders_demand_request_quantity_positive')),
    sa.ForeignKeyConstraint(['demand_id'], ['orders_demand.id'], name=op.f('fk_orders_demand_request_demand_id_orders_demand')),
    sa.ForeignKeyConstraint(['resident_id'], ['core_user.id'], name=op.f('fk_orders_demand_request_resident_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_demand_request')),
    sa.UniqueConstraint('demand_id', 'resident_id', name=op.f('uq_orders_demand_request_demand_id_resident_id'))
    )
    with op.batch_alter_table('orders_demand_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_demand_request_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_demand_request_resident_id'), ['resident_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orders_demand_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_demand_request_resident_id'))
        batch_op.drop_index(batch_op.f('ix_orders_demand_request_demand_id'))

    op.drop_table('orders_demand_request')
    with op.batch_alter_table('orders_demand_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_demand_event_demand_id'))

    op.drop_table('orders_demand_event')
    with op.batch_alter_table('orders_demand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_demand_status'))
        batch_op.drop_index(batch_op.f('ix_orders_demand_community_id'))

    op.drop_table('orders_demand')
