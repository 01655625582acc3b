"""The owners' committee: a role, and the compound each committee login speaks for.

Revision ID: 385d52fd30d0
Revises: b24c26ae6948
Create Date: 2026-12-03 20:25:51.186841
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '385d52fd30d0'
down_revision: str | None = 'b24c26ae6948'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('core_committee_seat',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['core_community.id'], name=op.f('fk_core_committee_seat_community_id_core_community')),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_committee_seat_user_id_core_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_core_committee_seat'))
    )
    with op.batch_alter_table('core_committee_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_committee_seat_community_id'), ['community_id'], unique=False)
    _roles(ROLES + ("committee",))


ROLES = ("resident", "supplier_member", "staff", "manager", "operator")


def _roles(roles: tuple[str, ...]) -> None:
    """The role check of core_user_role, with these roles."""
    allowed = ", ".join(f"'{r}'" for r in roles)
    with op.batch_alter_table('core_user_role', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_core_user_role_role_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_core_user_role_role_known'), f"role IN ({allowed})")


def downgrade() -> None:
    op.execute("DELETE FROM core_user_role WHERE role = 'committee'")
    _roles(ROLES)
    with op.batch_alter_table('core_committee_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_committee_seat_community_id'))

    op.drop_table('core_committee_seat')
