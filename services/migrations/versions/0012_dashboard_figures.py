"""Dashboard figures over time: each process's headline figures by day (the handbook's charts)

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dashboard_figures',
        sa.Column('process', sa.String(length=32), nullable=False),
        sa.Column('code', sa.String(length=48), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name_zh', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('process', 'code', 'day', name=op.f('pk_dashboard_figures')),
    )


def downgrade() -> None:
    op.drop_table('dashboard_figures')
