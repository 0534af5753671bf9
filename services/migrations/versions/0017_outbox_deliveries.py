"""Outbox deliveries: how many times a message was marked sent, and by which relay, so that
"each message is sent by one relay" is counted rather than assumed

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deliveries', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('sent_by', sa.String(length=64), nullable=True))
    # Messages sent before the counter: once each, by a relay nobody recorded.
    op.execute("UPDATE outbox SET deliveries = 1 WHERE sent_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sent_by')
        batch_op.drop_column('deliveries')
