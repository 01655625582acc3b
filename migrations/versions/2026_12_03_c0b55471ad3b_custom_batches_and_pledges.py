"""Custom batches (phase 3): batches offered to compounds, pledges, and their events.

Revision ID: c0b55471ad3b
Revises: a661d58fa8f6
Create Date: 2026-12-03 19:00:55.259985
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c0b55471ad3b'
down_revision: str | None = 'a661d58fa8f6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('orders_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('min_quantity', sa.Integer(), nullable=False),
    sa.Column('cap', sa.Integer(), nullable=True),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('policy_nodes', sa.JSON(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('plan_line_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.CheckConstraint("status IN ('open', 'reached', 'failed', 'captured', 'ordered', 'released', 'cancelled')", name=op.f('ck_orders_batch_status_known')),
    sa.CheckConstraint('cap IS NULL OR cap >= min_quantity', name=op.f('ck_orders_batch_cap_at_least_min')),
    sa.CheckConstraint('min_quantity >= 1', name=op.f('ck_orders_batch_min_positive')),
    sa.CheckConstraint('price_minor > 0', name=op.f('ck_orders_batch_price_positive')),
    sa.ForeignKeyConstraint(['bundle_id'], ['catalogue_bundle.id'], name=op.f('fk_orders_batch_bundle_id_catalogue_bundle')),
    sa.ForeignKeyConstraint(['created_by'], ['core_user.id'], name=op.f('fk_orders_batch_created_by_core_user')),
    sa.ForeignKeyConstraint(['demand_id'], ['orders_demand.id'], name=op.f('fk_orders_batch_demand_id_orders_demand')),
    sa.ForeignKeyConstraint(['plan_line_id'], ['orders_plan_line.id'], name=op.f('fk_orders_batch_plan_line_id_orders_plan_line')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers_supplier.id'], name=op.f('fk_orders_batch_supplier_id_suppliers_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_batch'))
    )
    with op.batch_alter_table('orders_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_batch_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_batch_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_batch_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('orders_batch_compound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('min_quantity', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.CheckConstraint("outcome IN ('', 'made', 'released')", name=op.f('ck_orders_batch_compound_outcome_known')),
    sa.CheckConstraint('min_quantity IS NULL OR min_quantity >= 1', name=op.f('ck_orders_batch_compound_min_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['orders_batch.id'], name=op.f('fk_orders_batch_compound_batch_id_orders_batch')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_batch_compound_community_id_core_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_batch_compound')),
    sa.UniqueConstraint('batch_id', 'community_id', name=op.f('uq_orders_batch_compound_batch_id_community_id'))
    )
    with op.batch_alter_table('orders_batch_compound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_batch_compound_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_batch_compound_community_id'), ['community_id'], unique=False)

    op.create_table('orders_batch_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_orders_batch_event_actor_id_core_user')),
    sa.ForeignKeyConstraint(['batch_id'], ['orders_batch.id'], name=op.f('fk_orders_batch_event_batch_id_orders_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_batch_event'))
    )
    with op.batch_alter_table('orders_batch_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_batch_event_batch_id'), ['batch_id'], unique=False)

    op.create_table('orders_pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('fate', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('setup_intent_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('payment_method', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('intent_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('client_secret', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('charge_attempts', sa.Integer(), nullable=False),
    sa.Column('fix_by', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('settled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.CheckConstraint("fate IN ('', 'capture', 'release')", name=op.f('ck_orders_pledge_fate_known')),
    sa.CheckConstraint("mode IN ('hold', 'saved_card')", name=op.f('ck_orders_pledge_mode_known')),
    sa.CheckConstraint("status IN ('pending_card', 'held', 'saved', 'charge_failed', 'captured', 'ordered', 'released', 'withdrawn')", name=op.f('ck_orders_pledge_status_known')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_orders_pledge_amount_positive')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_orders_pledge_quantity_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['orders_batch.id'], name=op.f('fk_orders_pledge_batch_id_orders_batch')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_pledge_community_id_core_community')),
    sa.ForeignKeyConstraint(['order_id'], ['orders_order.id'], name=op.f('fk_orders_pledge_order_id_orders_order')),
    sa.ForeignKeyConstraint(['resident_id'], ['core_user.id'], name=op.f('fk_orders_pledge_resident_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_pledge')),
    sa.UniqueConstraint('order_id', name=op.f('uq_orders_pledge_order_id')),
    sa.UniqueConstraint('resident_id', 'idempotency_key', name=op.f('uq_orders_pledge_resident_id_idempotency_key'))
    )
    with op.batch_alter_table('orders_pledge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_pledge_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_pledge_intent_id'), ['intent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_pledge_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_pledge_status'), ['status'], unique=False)

    op.create_table('orders_pledge_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_orders_pledge_event_actor_id_core_user')),
    sa.ForeignKeyConstraint(['pledge_id'], ['orders_pledge.id'], name=op.f('fk_orders_pledge_event_pledge_id_orders_pledge')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_pledge_event'))
    )
    with op.batch_alter_table('orders_pledge_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_pledge_event_pledge_id'), ['pledge_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orders_pledge_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_pledge_event_pledge_id'))

    op.drop_table('orders_pledge_event')
    with op.batch_alter_table('orders_pledge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_pledge_status'))
        batch_op.drop_index(batch_op.f('ix_orders_pledge_resident_id'))
        batch_op.drop_index(batch_op.f('ix_orders_pledge_intent_id'))
        batch_op.drop_index(batch_op.f('ix_orders_pledge_batch_id'))

    op.drop_table('orders_pledge')
    with op.batch_alter_table('orders_batch_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_batch_event_batch_id'))

    op.drop_table('orders_batch_event')
    with op.batch_alter_table('orders_batch_compound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_batch_compound_community_id'))
        batch_op.drop_index(batch_op.f('ix_orders_batch_compound_batch_id'))

    op.drop_table('orders_batch_compound')
    with op.batch_alter_table('orders_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_batch_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_orders_batch_status'))
        batch_op.drop_index(batch_op.f('ix_orders_batch_deadline'))

    op.drop_table('orders_batch')
