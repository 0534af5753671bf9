"""Grassroots issues: the grid loop's record of an issue beside its case

- grid_issues: category, place (grid, community, street, building, coordinates, address), the
  raiser, the handler, where the loop stands, the raiser's evaluation;
- whistles, whistle_levels, whistle_summons: a whistle on a case, each level it reached,
  each department summoned and when it reported;
- wishes: a resident's micro-wish beside its case, who claimed it, its confirmation;
- grid_photos: photos of an issue, with their type, size and hash.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grid_issues',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('grid', sa.String(length=64), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('street', sa.String(length=64), nullable=False),
    sa.Column('building', sa.String(length=100), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('raised_by', sa.String(length=64), nullable=False),
    sa.Column('raiser_name', sa.String(length=64), nullable=True),
    sa.Column('raiser_phone', sa.String(length=20), nullable=True),
    sa.Column('handler_group', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('supervised', sa.Boolean(), nullable=False),
    sa.Column('fed_back', sa.Boolean(), nullable=False),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('with_secretary', sa.Boolean(), nullable=False),
    sa.Column('response_due_on', sa.Date(), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=True),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_grid_issues_case_id_cases')),
    sa.ForeignKeyConstraint(['grid'], ['org_units.code'], name=op.f('fk_grid_issues_grid_org_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_grid_issues'))
    )
    with op.batch_alter_table('grid_issues', schema=None) as batch_op:
        for column in ('category', 'grid', 'community', 'street', 'handler_group', 'department',
                       'stage'):
            batch_op.create_index(batch_op.f(f'ix_grid_issues_{column}'), [column], unique=False)

    op.create_table('whistles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('org_unit', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('whistled_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_whistles_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistles')),
    sa.UniqueConstraint('case_id', name=op.f('uq_whistles_case_id'))
    )
    with op.batch_alter_table('whistles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistles_org_unit'), ['org_unit'], unique=False)

    op.create_table('whistle_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('whistle_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('notified', sa.String(length=100), nullable=False),
    sa.Column('late_departments', sa.String(length=500), nullable=True),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['whistle_id'], ['whistles.id'], name=op.f('fk_whistle_levels_whistle_id_whistles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle_levels'))
    )
    with op.batch_alter_table('whistle_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_levels_whistle_id'), ['whistle_id'], unique=False)
        batch_op.create_index('uq_whistle_levels_level', ['whistle_id', 'level'], unique=True)

    op.create_table('whistle_summons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('whistle_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('work_item_id', sa.Integer(), nullable=False),
    sa.Column('summoned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('summoned_at_level', sa.Integer(), nullable=False),
    sa.Column('report_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_by', sa.String(length=64), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], name=op.f('fk_whistle_summons_department_departments')),
    sa.ForeignKeyConstraint(['whistle_id'], ['whistles.id'], name=op.f('fk_whistle_summons_whistle_id_whistles')),
    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'], name=op.f('fk_whistle_summons_work_item_id_work_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle_summons'))
    )
    with op.batch_alter_table('whistle_summons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_summons_whistle_id'), ['whistle_id'], unique=False)
        batch_op.create_index('uq_whistle_summons_department', ['whistle_id', 'department'], unique=True)

    op.create_table('wishes',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('resident_number', sa.String(length=18), nullable=False),
    sa.Column('resident_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimer_unit', sa.String(length=64), nullable=True),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.Column('fulfilment', sa.Text(), nullable=True),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('urged_on', sa.Date(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_wishes_case_id_cases')),
    sa.ForeignKeyConstraint(['community'], ['org_units.code'], name=op.f('fk_wishes_community_org_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_wishes'))
    )
    with op.batch_alter_table('wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishes_community'), ['community'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishes_resident_number'), ['resident_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishes_status'), ['status'], unique=False)

    op.create_table('grid_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_grid_photos_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_photos'))
    )
    with op.batch_alter_table('grid_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_photos_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('grid_photos')
    op.drop_table('wishes')
    op.drop_table('whistle_summons')
    op.drop_table('whistle_levels')
    op.drop_table('whistles')
    op.drop_table('grid_issues')
