"""The yearly happy-community assessment (LK-02): each year's assessment, its ranking with the
figures behind every score, and its awards

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('previous_source', sa.String(length=16), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assessments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('year', name=op.f('uq_assessments_year'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('assessment_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_yuan', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_awards_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['community'], ['org_units.code'], name=op.f('fk_assessment_awards_community_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_awards'))
    )
    with op.batch_alter_table('assessment_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_awards_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index('uq_assessment_awards_community', ['assessment_id', 'community'], unique=True)

    op.create_table('assessment_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('previous_rank', sa.Integer(), nullable=True),
    sa.Column('change', sa.Integer(), nullable=True),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_entries_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['community'], ['org_units.code'], name=op.f('fk_assessment_entries_community_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_entries'))
    )
    with op.batch_alter_table('assessment_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_entries_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index('uq_assessment_entries_community', ['assessment_id', 'community'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('assessment_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_entries_community')
        batch_op.drop_index(batch_op.f('ix_assessment_entries_assessment_id'))

    op.drop_table('assessment_entries')
    with op.batch_alter_table('assessment_awards', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_awards_community')
        batch_op.drop_index(batch_op.f('ix_assessment_awards_assessment_id'))

    op.drop_table('assessment_awards')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_case_id'))

    op.drop_table('assessments')
