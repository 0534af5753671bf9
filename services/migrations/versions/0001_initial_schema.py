"""initial schema

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('departments',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('head_title_zh', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_departments'))
    )
    op.create_table('org_units',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['org_units.code'], name=op.f('fk_org_units_parent_code_org_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_org_units'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_parent_code'), ['parent_code'], unique=False)

    op.create_table('services',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=64), nullable=False),
    sa.Column('delegated', sa.Boolean(), nullable=False),
    sa.Column('on_the_spot', sa.Boolean(), nullable=False),
    sa.Column('no_meeting', sa.Boolean(), nullable=False),
    sa.Column('promised_working_days', sa.Integer(), nullable=False),
    sa.Column('legal_working_days', sa.Integer(), nullable=False),
    sa.Column('fee_yuan', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('legal_basis_zh', sa.String(length=300), nullable=False),
    sa.Column('applicant_kinds', sa.JSON(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_services_department_code_departments')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_department_code'), ['department_code'], unique=False)

    op.create_table('stations',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('street_code', sa.String(length=64), nullable=False),
    sa.Column('community_code', sa.String(length=64), nullable=True),
    sa.Column('address_zh', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['community_code'], ['org_units.code'], name=op.f('fk_stations_community_code_org_units')),
    sa.ForeignKeyConstraint(['street_code'], ['org_units.code'], name=op.f('fk_stations_street_code_org_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_stations'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=64), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=True),
    sa.Column('org_unit_code', sa.String(length=64), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_users_department_code_departments')),
    sa.ForeignKeyConstraint(['org_unit_code'], ['org_units.code'], name=op.f('fk_users_org_unit_code_org_units')),
    sa.ForeignKeyConstraint(['station_code'], ['stations.code'], name=op.f('fk_users_station_code_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_org_unit_code'), ['org_unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_station_code'), ['station_code'], unique=False)



    _make_audit_append_only()


def downgrade() -> None:
    _drop_audit_guards()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_station_code'))
        batch_op.drop_index(batch_op.f('ix_users_org_unit_code'))
        batch_op.drop_index(batch_op.f('ix_users_department_code'))

    op.drop_table('users')
    op.drop_table('stations')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_department_code'))

    op.drop_table('services')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_parent_code'))
        batch_op.drop_index(batch_op.f('ix_org_units_level'))

    op.drop_table('org_units')
    op.drop_table('departments')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')


# The audit trail refuses UPDATE and DELETE in the database itself, not only in the code.
_PG_GUARD = """
CREATE FUNCTION govflow_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION govflow_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION govflow_audit_append_only();
"""
_SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_events_no_{op_name.lower()} BEFORE {op_name} ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {op_name} refused'); END"""
    for op_name in ("UPDATE", "DELETE")
]


def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
    else:
        for statement in _SQLITE_GUARDS:
            op.execute(statement)


def _drop_audit_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS govflow_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
