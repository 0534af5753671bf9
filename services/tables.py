"""Every table of every process on the one declarative base: what Alembic and the
model/migration comparison test see. Each package owns its models; only this module gathers
them, so that no process has to import another's."""

from services.one_stop import models as one_stop  # noqa: F401
from services.platform.db.models import Base
from services.project_approval import models as project_approval  # noqa: F401
from services.volunteering import models as volunteering  # noqa: F401
from services.work import models as work  # noqa: F401

__all__ = ["Base"]
