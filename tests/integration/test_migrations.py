from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.db.migrate import pending, upgrade
from services.db.models import Base


def test_the_migrations_build_exactly_the_schema_the_models_declare(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_a_migrated_database_has_nothing_pending(db):
    assert pending(db) is False


def test_migrating_twice_changes_nothing(fresh_db):
    upgrade(fresh_db)
    assert pending(fresh_db) is False
