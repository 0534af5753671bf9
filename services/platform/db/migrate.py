"""Alembic, configured in code so `govflow migrate` works from any directory."""

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.platform.db.uow import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "services:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def pending(db: Database) -> bool:
    """True while the database is behind the newest migration (readiness check)."""
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() != head
