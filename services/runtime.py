"""What a process needs to serve: the settings and the business database."""

from dataclasses import dataclass

from services.db.uow import Database
from services.settings import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings
    db: Database


def build(settings: Settings | None = None) -> Runtime:
    settings = settings or get_settings()
    return Runtime(settings=settings, db=Database(settings.database_url))
