"""Grassroots issues: the grid loop's record of an issue beside its case

- grid_issues: category, place (grid, community, street, building, coordinates, address), the
  raiser, the handler, where the loop stands, the raiser's evaluation.

Revision ID: 0008
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0005'
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


def downgrade() -> None:
    op.drop_table('grid_issues')
