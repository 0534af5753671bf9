"""Cases, work items, outbox, escalations, extensions, process versions, joint reviews

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_sent_at'), ['sent_at'], unique=False)

    op.create_table('process_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_versions'))
    )
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_versions_process'), ['process'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=64), nullable=False),
    sa.Column('process_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('service_code', sa.String(length=16), nullable=True),
    sa.Column('department_code', sa.String(length=64), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('legal_due_on', sa.Date(), nullable=True),
    sa.Column('clock_suspended_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('flow_run_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_cases_department_code_departments')),
    sa.ForeignKeyConstraint(['service_code'], ['services.code'], name=op.f('fk_cases_service_code_services')),
    sa.ForeignKeyConstraint(['station_code'], ['stations.code'], name=op.f('fk_cases_station_code_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_process'), ['process'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_station_code'), ['station_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('deadline_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadline_extensions_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_extensions'))
    )
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_extensions_case_id'), ['case_id'], unique=False)

    op.create_table('joint_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('called_by', sa.String(length=64), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_joint_reviews_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_reviews'))
    )
    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_reviews_case_id'), ['case_id'], unique=False)

    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('step_key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('form', sa.String(length=64), nullable=False),
    sa.Column('candidate_group', sa.String(length=100), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('deadline_kind', sa.String(length=16), nullable=True),
    sa.Column('ladder', sa.String(length=64), nullable=True),
    sa.Column('stage_key', sa.String(length=100), nullable=True),
    sa.Column('stage_mode', sa.String(length=8), nullable=True),
    sa.Column('waits_for', sa.Integer(), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('flow_run_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_work_items_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_items'))
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_items_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_candidate_group'), ['candidate_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_status'), ['status'], unique=False)
        batch_op.create_index('uq_work_items_case_step', ['case_id', 'step_key'], unique=True)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_item_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ladder', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('notified', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_escalations_case_id_cases')),
    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'], name=op.f('fk_escalations_work_item_id_work_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_work_item_id'), ['work_item_id'], unique=False)
        batch_op.create_index('uq_escalations_item_level', ['work_item_id', 'level'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('uq_escalations_item_level')
        batch_op.drop_index(batch_op.f('ix_escalations_work_item_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_case_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('uq_work_items_case_step')
        batch_op.drop_index(batch_op.f('ix_work_items_status'))
        batch_op.drop_index(batch_op.f('ix_work_items_due_on'))
        batch_op.drop_index(batch_op.f('ix_work_items_case_id'))
        batch_op.drop_index(batch_op.f('ix_work_items_candidate_group'))
        batch_op.drop_index(batch_op.f('ix_work_items_assignee'))

    op.drop_table('work_items')
    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_reviews_case_id'))

    op.drop_table('joint_reviews')
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_extensions_case_id'))

    op.drop_table('deadline_extensions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_station_code'))
        batch_op.drop_index(batch_op.f('ix_cases_process'))
        batch_op.drop_index(batch_op.f('ix_cases_department_code'))

    op.drop_table('cases')
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_versions_process'))

    op.drop_table('process_versions')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_sent_at'))

    op.drop_table('outbox')
