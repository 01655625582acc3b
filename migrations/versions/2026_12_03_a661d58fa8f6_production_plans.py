"""Production plans (phase 3): a producer's week, line by line per item and compound.

Revision ID: a661d58fa8f6
Revises: 6b43ad1c8f2f
Create Date: 2026-12-03 16:14:35.165823
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'a661d58fa8f6'
down_revision: str | None = '6b43ad1c8f2f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('orders_production_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('issued', 'answered')", name=op.f('ck_orders_production_plan_status_known')),
    sa.ForeignKeyConstraint(['issued_by'], ['core_user.id'], name=op.f('fk_orders_production_plan_issued_by_core_user')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers_supplier.id'], name=op.f('fk_orders_production_plan_supplier_id_suppliers_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_production_plan')),
    sa.UniqueConstraint('supplier_id', 'week', name=op.f('uq_orders_production_plan_supplier_id_week'))
    )
    with op.batch_alter_table('orders_production_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_production_plan_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('orders_plan_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Integer(), nullable=False),
    sa.Column('tentative', sa.Integer(), nullable=False),
    sa.Column('min_batch', sa.Integer(), nullable=False),
    sa.Column('multiple', sa.Integer(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('deliver_on', sa.Date(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('answered_quantity', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.CheckConstraint("answer IN ('', 'accepted', 'adjusted')", name=op.f('ck_orders_plan_line_answer_known')),
    sa.CheckConstraint('confirmed >= 0 AND tentative >= 0 AND planned >= 0', name=op.f('ck_orders_plan_line_not_negative')),
    sa.CheckConstraint('min_batch >= 1 AND multiple >= 1', name=op.f('ck_orders_plan_line_batch_rules')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_orders_plan_line_community_id_core_community')),
    sa.ForeignKeyConstraint(['item_id'], ['suppliers_item.id'], name=op.f('fk_orders_plan_line_item_id_suppliers_item')),
    sa.ForeignKeyConstraint(['plan_id'], ['orders_production_plan.id'], name=op.f('fk_orders_plan_line_plan_id_orders_production_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_plan_line')),
    sa.UniqueConstraint('plan_id', 'item_id', 'community_id', name=op.f('uq_orders_plan_line_plan_id_item_id_community_id'))
    )
    with op.batch_alter_table('orders_plan_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_plan_line_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orders_plan_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_plan_line_plan_id'))

    op.drop_table('orders_plan_line')
    with op.batch_alter_table('orders_production_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_production_plan_supplier_id'))

    op.drop_table('orders_production_plan')
