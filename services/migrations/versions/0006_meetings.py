"""Joint meetings (QL-10a/b/c): meetings, invitations (the membership on the day convened),
agenda items, resolutions and their timeline, missed-meeting findings; the red forum
(LK-13a/b): forums, topics, actions, the secretaries' reserve record.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_code'], ['org_units.code'], name=op.f('fk_meeting_findings_body_code_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_findings'))
    )
    with op.batch_alter_table('meeting_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_findings_body_code'), ['body_code'], unique=False)
        batch_op.create_index('uq_meeting_findings_body_period', ['body_code', 'period'], unique=True)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('convened_on', sa.Date(), nullable=False),
    sa.Column('matters_close_on', sa.Date(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('quorum_note', sa.String(length=200), nullable=True),
    sa.Column('minutes_confirmed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_code'], ['org_units.code'], name=op.f('fk_meetings_body_code_org_units')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meetings_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_body_code'), ['body_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_status'), ['status'], unique=False)
        batch_op.create_index('uq_meetings_body_period', ['body_code', 'period'], unique=True)

    op.create_table('red_forums',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('looks_back_on', sa.String(length=8), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('convened_on', sa.Date(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_red_forums_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_forums')),
    sa.UniqueConstraint('quarter', name=op.f('uq_red_forums_quarter'))
    )
    with op.batch_alter_table('red_forums', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_forums_case_id'), ['case_id'], unique=False)

    op.create_table('meeting_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('resolution_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('drop_reason', sa.String(length=500), nullable=True),
    sa.Column('merged_into', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meeting_agenda_items_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_agenda_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_agenda_items'))
    )
    with op.batch_alter_table('meeting_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_agenda_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_zh', sa.String(length=200), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=True),
    sa.Column('attendance', sa.String(length=16), nullable=True),
    sa.Column('absence_reason', sa.String(length=500), nullable=True),
    sa.Column('substitute_zh', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_invitations_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitations'))
    )
    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitations_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('red_forum_reserve',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('selected', sa.Boolean(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['red_forums.id'], name=op.f('fk_red_forum_reserve_forum_id_red_forums')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_forum_reserve'))
    )
    with op.batch_alter_table('red_forum_reserve', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_forum_reserve_person'), ['person'], unique=False)

    op.create_table('red_forum_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_red_forum_topics_case_id_cases')),
    sa.ForeignKeyConstraint(['forum_id'], ['red_forums.id'], name=op.f('fk_red_forum_topics_forum_id_red_forums')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_forum_topics'))
    )
    with op.batch_alter_table('red_forum_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_forum_topics_forum_id'), ['forum_id'], unique=False)

    op.create_table('meeting_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('co_owners', sa.JSON(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['meeting_agenda_items.id'], name=op.f('fk_meeting_resolutions_agenda_item_id_meeting_agenda_items')),
    sa.ForeignKeyConstraint(['body_code'], ['org_units.code'], name=op.f('fk_meeting_resolutions_body_code_org_units')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meeting_resolutions_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_resolutions_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['owner'], ['departments.code'], name=op.f('fk_meeting_resolutions_owner_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_resolutions'))
    )
    with op.batch_alter_table('meeting_resolutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_body_code'), ['body_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_resolutions_status'), ['status'], unique=False)

    op.create_table('red_forum_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_red_forum_actions_case_id_cases')),
    sa.ForeignKeyConstraint(['owner'], ['departments.code'], name=op.f('fk_red_forum_actions_owner_departments')),
    sa.ForeignKeyConstraint(['topic_id'], ['red_forum_topics.id'], name=op.f('fk_red_forum_actions_topic_id_red_forum_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_forum_actions'))
    )
    with op.batch_alter_table('red_forum_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_forum_actions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_red_forum_actions_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_red_forum_actions_topic_id'), ['topic_id'], unique=False)

    op.create_table('meeting_resolution_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resolution_id'], ['meeting_resolutions.id'], name=op.f('fk_meeting_resolution_entries_resolution_id_meeting_resolutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_resolution_entries'))
    )
    with op.batch_alter_table('meeting_resolution_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_resolution_entries_resolution_id'), ['resolution_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('meeting_resolution_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_resolution_entries_resolution_id'))

    op.drop_table('meeting_resolution_entries')
    with op.batch_alter_table('red_forum_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_forum_actions_topic_id'))
        batch_op.drop_index(batch_op.f('ix_red_forum_actions_owner'))
        batch_op.drop_index(batch_op.f('ix_red_forum_actions_case_id'))

    op.drop_table('red_forum_actions')
    with op.batch_alter_table('meeting_resolutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_status'))
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_owner'))
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_deadline'))
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_case_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_resolutions_body_code'))

    op.drop_table('meeting_resolutions')
    with op.batch_alter_table('red_forum_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_forum_topics_forum_id'))

    op.drop_table('red_forum_topics')
    with op.batch_alter_table('red_forum_reserve', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_forum_reserve_person'))

    op.drop_table('red_forum_reserve')
    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitations_meeting_id'))

    op.drop_table('meeting_invitations')
    with op.batch_alter_table('meeting_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_agenda_items_meeting_id'))

    op.drop_table('meeting_agenda_items')
    with op.batch_alter_table('red_forums', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_forums_case_id'))

    op.drop_table('red_forums')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('uq_meetings_body_period')
        batch_op.drop_index(batch_op.f('ix_meetings_status'))
        batch_op.drop_index(batch_op.f('ix_meetings_case_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_body_code'))

    op.drop_table('meetings')
    with op.batch_alter_table('meeting_findings', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_findings_body_period')
        batch_op.drop_index(batch_op.f('ix_meeting_findings_body_code'))

    op.drop_table('meeting_findings')
