"""The HTTP API: `uvicorn --factory api.app:create_app`."""

from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from prometheus_client import CollectorRegistry

from api import deps, openapi, problems
from api.middleware import LimitBodySize, Metrics
from api.routes import (
    applications,
    assessment,
    audit,
    auth,
    cases,
    catalogue,
    handbook,
    health,
    issues,
    meetings,
    open311,
    projects,
    red_forum,
    users,
    volunteering,
    whistle,
    wishes,
    work_items,
)
from services.assessment.assessments import assessment_rules
from services.grid.reference import catalogue as grid_catalogue
from services.meetings.bodies import bodies as meeting_bodies
from services.meetings.bodies import rules as meeting_rules
from services.platform import logs, runtime
from services.platform.settings import Settings
from services.project_approval.plan import project_plan


def create_app(settings: Settings | None = None) -> FastAPI:
    rt = runtime.build(settings)
    project_plan()  # read at start-up: broken plan data stops the API at once
    grid_catalogue(), meeting_bodies(), meeting_rules()  # broken data stops the API at once
    assessment_rules()
    logs.configure()

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        rt.db.dispose()

    app = FastAPI(title="govflow", version="0.1.0", lifespan=lifespan,
                  dependencies=[Depends(deps.refuse_nul)],
                  description="Cross-department government processes: one-stop approval, "
                              "joint meetings, volunteer scheduling, whistle-and-report.")
    app.state.runtime = rt
    app.state.metrics_registry = CollectorRegistry()
    problems.install(app)
    openapi.install(app)
    v1 = APIRouter(prefix="/api/v1")
    for module in (auth, catalogue, applications, wishes):  # open to applicants too
        v1.include_router(module.router)
    v1.include_router(volunteering.members_router)  # staff and party members (role member)
    for router in (users.router, audit.router, cases.router, work_items.router,
                   projects.router, applications.dashboard_router, issues.router,
                   issues.dashboard_router, whistle.router, meetings.router, red_forum.router,
                   volunteering.router, assessment.router):
        v1.include_router(router, dependencies=[deps.StaffOnly])
    app.include_router(v1)
    app.include_router(open311.router)
    app.include_router(health.router)
    app.include_router(handbook.router)  # public policy pages, no sign-in
    app.add_middleware(Metrics, registry=app.state.metrics_registry)
    app.add_middleware(LimitBodySize, max_bytes=rt.settings.max_body_bytes)
    return app
