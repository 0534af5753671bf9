"""Delivered notifications: one row per notification key, so a re-delivery sends nothing

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivered_notifications',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_delivered_notifications_case_id_cases')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_delivered_notifications'))
    )
    with op.batch_alter_table('delivered_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivered_notifications_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delivered_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivered_notifications_case_id'))

    op.drop_table('delivered_notifications')
