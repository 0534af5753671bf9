"""Volunteering: the secretary's review rounds of the monthly flow (a plan's case and round)
and members' own accounts

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_volunteer_plans_case_id'), ['case_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_volunteer_plans_case_id_cases'), 'cases',
                                    ['case_id'], ['id'])
    with op.batch_alter_table('volunteer_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_volunteer_members_account'),
                                          ['account'])


def downgrade() -> None:
    with op.batch_alter_table('volunteer_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_volunteer_members_account'), type_='unique')
        batch_op.drop_column('account')
    with op.batch_alter_table('volunteer_plans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_volunteer_plans_case_id_cases'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_volunteer_plans_case_id'))
        batch_op.drop_column('attempt')
        batch_op.drop_column('case_id')
