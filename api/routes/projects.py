from typing import Annotated

from fastapi import APIRouter, Header, status
from fastapi.responses import HTMLResponse

from api.deps import CalendarDep, CurrentActor, DbDep, Id, PlanDep, SettingsDep, Today
from services.project_approval import projects
from services.project_approval.projects import (
    JointReviewCreate,
    JointReviewRead,
    ProjectCreate,
    ProjectRead,
)

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", response_model=ProjectRead, status_code=status.HTTP_201_CREATED)
def start_project(data: ProjectCreate, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
                  plan: PlanDep, today: Today, idempotency_key: Annotated[str | None, Header(
                      max_length=100, description="a retry with the same key gets the project "
                      "the first request opened; the same key with another body is refused")
                  ] = None) -> ProjectRead:
    """An enterprise (or its service specialist) files a project with its land-transfer
    contract; every approval it needs opens in parallel (HC-14b)."""
    return projects.start_project(db, calendar, plan, actor, data, today, idempotency_key)


@router.get("/{case_id}", response_model=ProjectRead)
def get_project(case_id: Id, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
                plan: PlanDep, today: Today) -> ProjectRead:
    """Which departments are done and which are waiting, deadlines, the critical path, the
    working days used against the commitment, escalations and the flow run."""
    return projects.get_project(db, calendar, plan, actor, case_id, today)


@router.get("/{case_id}/permit", response_class=HTMLResponse)
def permit(case_id: Id, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
           plan: PlanDep, settings: SettingsDep) -> HTMLResponse:
    """The construction permit (HTML, printable) once the project is approved."""
    return HTMLResponse(projects.permit(db, calendar, plan, actor, case_id,
                                        settings.secret_key))


@router.post("/{case_id}/joint-reviews", response_model=JointReviewRead,
             status_code=status.HTTP_201_CREATED)
def joint_review(case_id: Id, data: JointReviewCreate, actor: CurrentActor, db: DbDep,
                 plan: PlanDep) -> JointReviewRead:
    """Record a joint review meeting (联审会) of departments that disagree on the project."""
    return projects.record_joint_review(db, plan, actor, case_id, data)
