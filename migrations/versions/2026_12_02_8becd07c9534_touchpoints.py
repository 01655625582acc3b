"""Touchpoints: QR codes on buildings and public spots, the service requests they open.

Revision ID: 8becd07c9534
Revises: d41f7a2c9e10
Create Date: 2026-12-02 17:16:47.509350
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '8becd07c9534'
down_revision: str | None = 'd41f7a2c9e10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fulfilment_touchpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('building', 'lobby', 'lamp_post', 'parcel_room', 'other')", name=op.f('ck_fulfilment_touchpoint_kind_known')),
    sa.CheckConstraint('building_id IS NOT NULL OR grid_id IS NOT NULL', name=op.f('ck_fulfilment_touchpoint_routed_somewhere')),
    sa.ForeignKeyConstraint(['building_id'], ['core_building.id'], name=op.f('fk_fulfilment_touchpoint_building_id_core_building')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_fulfilment_touchpoint_community_id_core_community')),
    sa.ForeignKeyConstraint(['grid_id'], ['fulfilment_grid.id'], name=op.f('fk_fulfilment_touchpoint_grid_id_fulfilment_grid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfilment_touchpoint')),
    sa.UniqueConstraint('code', name=op.f('uq_fulfilment_touchpoint_code'))
    )
    with op.batch_alter_table('fulfilment_touchpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfilment_touchpoint_community_id'), ['community_id'], unique=False)

    op.create_table('fulfilment_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('wanted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('accept_by', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('arrive_by', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('arrived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('accept_met', sa.Boolean(), nullable=True),
    sa.Column('arrive_met', sa.Boolean(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('report', 'booking')", name=op.f('ck_fulfilment_request_kind_known')),
    sa.CheckConstraint("status IN ('open', 'accepted', 'arrived', 'done', 'cancelled')", name=op.f('ck_fulfilment_request_status_known')),
    sa.ForeignKeyConstraint(['assignee_id'], ['core_user.id'], name=op.f('fk_fulfilment_request_assignee_id_core_user')),
    sa.ForeignKeyConstraint(['building_id'], ['core_building.id'], name=op.f('fk_fulfilment_request_building_id_core_building')),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_fulfilment_request_community_id_core_community')),
    sa.ForeignKeyConstraint(['grid_id'], ['fulfilment_grid.id'], name=op.f('fk_fulfilment_request_grid_id_fulfilment_grid')),
    sa.ForeignKeyConstraint(['resident_id'], ['core_user.id'], name=op.f('fk_fulfilment_request_resident_id_core_user')),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['fulfilment_touchpoint.id'], name=op.f('fk_fulfilment_request_touchpoint_id_fulfilment_touchpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfilment_request'))
    )
    with op.batch_alter_table('fulfilment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfilment_request_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_fulfilment_request_open', ['grid_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfilment_request_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfilment_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfilment_request_touchpoint_id'), ['touchpoint_id'], unique=False)

    op.create_table('fulfilment_request_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_fulfilment_request_event_actor_id_core_user')),
    sa.ForeignKeyConstraint(['request_id'], ['fulfilment_request.id'], name=op.f('fk_fulfilment_request_event_request_id_fulfilment_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfilment_request_event'))
    )
    with op.batch_alter_table('fulfilment_request_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfilment_request_event_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('fulfilment_request_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfilment_request_event_request_id'))

    op.drop_table('fulfilment_request_event')
    with op.batch_alter_table('fulfilment_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfilment_request_touchpoint_id'))
        batch_op.drop_index(batch_op.f('ix_fulfilment_request_status'))
        batch_op.drop_index(batch_op.f('ix_fulfilment_request_resident_id'))
        batch_op.drop_index('ix_fulfilment_request_open')
        batch_op.drop_index(batch_op.f('ix_fulfilment_request_assignee_id'))

    op.drop_table('fulfilment_request')
    with op.batch_alter_table('fulfilment_touchpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfilment_touchpoint_community_id'))

    op.drop_table('fulfilment_touchpoint')
