"""Applicants online: applicant accounts, whose application a case is, an online receipt series

- users.applicant_number: the citizen ID number or credit code an applicant's account speaks
  for (unique: one account per applicant);
- cases.applicant_number: whose application a case is, filled in from each application's
  details, so an applicant finds also what was filed for it at a counter;
- receipt_counters keyed by series (a station's code, or `online`) instead of by station.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('receipt_no', sa.String),
                 sa.column('details', sa.JSON), sa.column('applicant_number', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_number', sa.String(length=18), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_applicant_number'), ['applicant_number'])

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_number', sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_applicant_number'), ['applicant_number'], unique=False)
    _fill_in_applicant_numbers()

    with op.batch_alter_table('receipt_counters', schema=None) as batch_op:
        batch_op.drop_constraint('fk_receipt_counters_station_code_stations', type_='foreignkey')
        batch_op.alter_column('station_code', new_column_name='series',
                              existing_type=sa.String(length=16), existing_nullable=False)


def _fill_in_applicant_numbers() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(cases.c.id, cases.c.details).where(
        cases.c.receipt_no.is_not(None)))
    for case_id, details in rows.all():
        applicant = (details or {}).get('applicant') or {}
        number = applicant.get('id_number') or applicant.get('credit_code')
        if number:
            connection.execute(cases.update().where(cases.c.id == case_id).values(
                applicant_number=number))


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM receipt_counters WHERE series NOT IN "
                               "(SELECT code FROM stations)"))
    with op.batch_alter_table('receipt_counters', schema=None) as batch_op:
        batch_op.alter_column('series', new_column_name='station_code',
                              existing_type=sa.String(length=16), existing_nullable=False)
    with op.batch_alter_table('receipt_counters', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_receipt_counters_station_code_stations'),
                                    'stations', ['station_code'], ['code'])

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_applicant_number'))
        batch_op.drop_column('applicant_number')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_applicant_number'), type_='unique')
        batch_op.drop_column('applicant_number')
