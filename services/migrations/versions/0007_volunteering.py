"""Volunteering (双报到): units and their contracted projects, members and their claims, the
month's plans, assignments with attendance, the uncovered with their reasons, the hours ledger.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:46:07.694418
"""
from alembic import op
import sqlalchemy as sa

import services.platform.db.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('volunteer_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('objective', sa.Integer(), nullable=False),
    sa.Column('lower_bound', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('hosts', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', services.platform.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', services.platform.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_plans'))
    )
    with op.batch_alter_table('volunteer_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_plans_month'), ['month'], unique=False)

    op.create_table('volunteer_units',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_volunteer_units'))
    )
    with op.batch_alter_table('volunteer_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_units_community'), ['community'], unique=False)

    op.create_table('volunteer_members',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('home', sa.String(length=64), nullable=False),
    sa.Column('availability', sa.String(length=16), nullable=False),
    sa.Column('claimed', sa.JSON(), nullable=False),
    sa.Column('requested', sa.Integer(), nullable=False),
    sa.Column('history', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['volunteer_units.code'], name=op.f('fk_volunteer_members_unit_code_volunteer_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_volunteer_members'))
    )
    with op.batch_alter_table('volunteer_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_members_home'), ['home'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_members_unit_code'), ['unit_code'], unique=False)

    op.create_table('volunteer_projects',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('charging', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('patterns', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['volunteer_units.code'], name=op.f('fk_volunteer_projects_unit_code_volunteer_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_volunteer_projects'))
    )
    with op.batch_alter_table('volunteer_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_projects_unit_code'), ['unit_code'], unique=False)

    op.create_table('volunteer_uncovered',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('member_code', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['volunteer_plans.id'], name=op.f('fk_volunteer_uncovered_plan_id_volunteer_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_uncovered'))
    )
    with op.batch_alter_table('volunteer_uncovered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_uncovered_plan_id'), ['plan_id'], unique=False)

    op.create_table('volunteer_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('member_code', sa.String(length=32), nullable=False),
    sa.Column('activity_code', sa.String(length=64), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.String(length=24), nullable=False),
    sa.Column('project_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['member_code'], ['volunteer_members.code'], name=op.f('fk_volunteer_assignments_member_code_volunteer_members')),
    sa.ForeignKeyConstraint(['plan_id'], ['volunteer_plans.id'], name=op.f('fk_volunteer_assignments_plan_id_volunteer_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_assignments')),
    sa.UniqueConstraint('plan_id', 'member_code', 'activity_code', name=op.f('uq_volunteer_assignments_plan_id'))
    )
    with op.batch_alter_table('volunteer_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_assignments_activity_code'), ['activity_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_assignments_community'), ['community'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_assignments_member_code'), ['member_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_assignments_plan_id'), ['plan_id'], unique=False)

    op.create_table('volunteer_service_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_code', sa.String(length=32), nullable=False),
    sa.Column('activity_code', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('at', services.platform.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_code'], ['volunteer_members.code'], name=op.f('fk_volunteer_service_hours_member_code_volunteer_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_service_hours'))
    )
    with op.batch_alter_table('volunteer_service_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_service_hours_member_code'), ['member_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('volunteer_service_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_service_hours_member_code'))

    op.drop_table('volunteer_service_hours')
    with op.batch_alter_table('volunteer_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_assignments_plan_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_assignments_member_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_assignments_community'))
        batch_op.drop_index(batch_op.f('ix_volunteer_assignments_activity_code'))

    op.drop_table('volunteer_assignments')
    with op.batch_alter_table('volunteer_uncovered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_uncovered_plan_id'))

    op.drop_table('volunteer_uncovered')
    with op.batch_alter_table('volunteer_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_projects_unit_code'))

    op.drop_table('volunteer_projects')
    with op.batch_alter_table('volunteer_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_members_unit_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_members_home'))

    op.drop_table('volunteer_members')
    with op.batch_alter_table('volunteer_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_units_community'))

    op.drop_table('volunteer_units')
    with op.batch_alter_table('volunteer_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_plans_month'))

    op.drop_table('volunteer_plans')
