"""Units (房号) from the owner list with join codes; residents' homes are verified.

Residents registered before this were entered by the property: they count as verified.

Revision ID: 109141655983
Revises: a9f128cef24b
Create Date: 2026-12-02 18:18:45.645065
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '109141655983'
down_revision: str | None = 'a9f128cef24b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('core_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('owner_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('owner_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('join_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['core_building.id'], name=op.f('fk_core_unit_building_id_core_building')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_unit')),
    sa.UniqueConstraint('building_id', 'name', name=op.f('uq_core_unit_building_id_name'))
    )
    with op.batch_alter_table('core_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_unit_building_id'), ['building_id'], unique=False)

    with op.batch_alter_table('core_resident_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_core_resident_profile_unit_id_core_unit'), 'core_unit', ['unit_id'], ['id'])
    now = sa.bindparam(
        'now', value=datetime.now(UTC), type_=sqlmodel.sql.sqltypes.UTCDateTime()
    )
    op.get_bind().execute(
        sa.text('UPDATE core_resident_profile SET verified_at = :now').bindparams(now)
    )



def downgrade() -> None:
    with op.batch_alter_table('core_resident_profile', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_core_resident_profile_unit_id_core_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('verified_at')

    with op.batch_alter_table('core_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_unit_building_id'))

    op.drop_table('core_unit')
