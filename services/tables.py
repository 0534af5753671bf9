"""Every table of every process on the one declarative base: what Alembic and the
model/migration comparison test see. Each package owns its models; only this module gathers
them, so that no process has to import another's."""

from services.assessment import models as assessment  # noqa: F401
from services.grid import models as grid  # noqa: F401
from services.meetings import models as meetings  # noqa: F401
from services.one_stop import models as one_stop  # noqa: F401
from services.platform import figures  # noqa: F401
from services.platform.db.models import Base
from services.project_approval import models as project_approval  # noqa: F401
from services.red_forum import models as red_forum  # noqa: F401
from services.volunteering import models as volunteering  # noqa: F401
from services.whistle import models as whistle  # noqa: F401
from services.wishes import models as wishes  # noqa: F401
from services.work import models as work  # noqa: F401

__all__ = ["Base"]
