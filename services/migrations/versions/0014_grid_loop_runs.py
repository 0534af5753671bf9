"""Grid issues run as their own flow: a grid-loop case's status becomes the work layer's

The loop's stage stays on the issue (grid_issues.stage); the case is in_progress until its run
ends it, closed after. Open issues reported before then have no run: the reconciler finds
them ("no run") and starts one, which replays what was recorded and waits where people have
not acted (an issue at feedback or evaluation gets that step's work item from its run).

Revision ID: 0014
Revises: 0013
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE cases SET status = CASE WHEN finished_on IS NULL THEN 'in_progress' "
               "ELSE 'closed' END WHERE process = 'grid-loop'")


def downgrade() -> None:
    op.execute("UPDATE cases SET status = (SELECT stage FROM grid_issues "
               "WHERE grid_issues.case_id = cases.id) WHERE process = 'grid-loop'")
