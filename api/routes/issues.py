"""Grid issues (网格闭环, QL-07, LK-06, HC-03): report, handle, supervise, feed back, evaluate."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, UploadFile, status
from fastapi.responses import Response

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Limit, Offset, Today
from policies.grid.categories import Catalogue
from policies.grid.loop import Stage
from services.grid import dashboard, issues, photos, reference
from services.grid.issues import (
    Evaluation,
    Feedback,
    IssueRead,
    IssueReport,
    Resolution,
    Supervision,
)
from services.whistle import dashboard as whistle_dashboard
from services.whistle import reference as whistle_reference

router = APIRouter(prefix="/issues", tags=["grid"])
dashboard_router = APIRouter(prefix="/dashboard", tags=["grid"])


async def _catalogue() -> Catalogue:
    return reference.catalogue()


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]


@router.post("", response_model=IssueRead, status_code=status.HTTP_201_CREATED)
def report(data: IssueReport, actor: CurrentActor, db: DbDep, catalogue: CatalogueDep,
           calendar: CalendarDep, today: Today) -> IssueRead:
    """A grid member reports what was seen on patrol, or enters what a resident raised: the
    category decides the handler and the deadline; the handler's step opens in its queue."""
    return issues.report(db, catalogue, calendar, actor, data, today)


@router.get("", response_model=list[IssueRead])
def listing(actor: CurrentActor, db: DbDep, catalogue: CatalogueDep, limit: Limit = 50,
            offset: Offset = 0, status_: Annotated[Stage | None, Query(alias="status")] = None
            ) -> list[IssueRead]:
    """The issues in the reader's scope, newest first."""
    return issues.listing(db, catalogue, actor, status=status_ and status_.value,
                          limit=limit, offset=offset)


@router.get("/{case_id}", response_model=IssueRead)
def get_issue(case_id: Id, actor: CurrentActor, db: DbDep, catalogue: CatalogueDep
              ) -> IssueRead:
    return issues.get(db, catalogue, actor, case_id)


@router.post("/{case_id}/acknowledgement", response_model=IssueRead)
def acknowledge(case_id: Id, actor: CurrentActor, db: DbDep, catalogue: CatalogueDep,
                today: Today) -> IssueRead:
    """受理: the handler has it (counts for the response rate)."""
    return issues.acknowledge(db, catalogue, actor, case_id, today)


@router.post("/{case_id}/resolution", response_model=IssueRead)
def resolve(case_id: Id, data: Resolution, actor: CurrentActor, db: DbDep,
            catalogue: CatalogueDep, today: Today) -> IssueRead:
    """解决: the handler says what it did; the issue goes to supervision."""
    return issues.resolve(db, catalogue, actor, case_id, data, today)


@router.post("/{case_id}/supervision", response_model=IssueRead)
def supervise(case_id: Id, data: Supervision, actor: CurrentActor, db: DbDep,
              catalogue: CatalogueDep) -> IssueRead:
    """督查 by someone who did not handle it: passed, or back to the handler with reasons."""
    return issues.supervise(db, catalogue, actor, case_id, data)


@router.post("/{case_id}/feedback", response_model=IssueRead)
def feedback(case_id: Id, data: Feedback, actor: CurrentActor, db: DbDep,
             catalogue: CatalogueDep) -> IssueRead:
    """反馈: the raiser is told the outcome."""
    return issues.feedback(db, catalogue, actor, case_id, data)


@router.post("/{case_id}/evaluation", response_model=IssueRead)
def evaluate(case_id: Id, data: Evaluation, actor: CurrentActor, db: DbDep,
             catalogue: CatalogueDep, today: Today) -> IssueRead:
    """评价: satisfied closes; dissatisfied reopens once, then the community secretary takes it."""
    return issues.evaluate(db, catalogue, actor, case_id, data, today)


@router.post("/{case_id}/closure", response_model=IssueRead)
def close(case_id: Id, actor: CurrentActor, db: DbDep, catalogue: CatalogueDep,
          today: Today) -> IssueRead:
    """办结 without an evaluation: refused (409) until supervision passed and feedback given."""
    return issues.close(db, catalogue, actor, case_id, today)


class GrassrootsBoard(dashboard.GrassrootsDashboard):
    whistle: whistle_dashboard.WhistleRates


@router.post("/{case_id}/photos", response_model=photos.PhotoRead,
             status_code=status.HTTP_201_CREATED)
async def add_photo(case_id: Id, file: UploadFile, actor: CurrentActor, db: DbDep
                    ) -> photos.PhotoRead:
    """A photo of the issue (JPEG or PNG, read from its bytes; size limit as data): seen on
    patrol, the handler's result, or the supervisor's verification by photos."""
    content = await file.read()
    return photos.add(db, reference.photo_rules(), actor, case_id, content)


@router.get("/{case_id}/photos", response_model=list[photos.PhotoRead])
def list_photos(case_id: Id, actor: CurrentActor, db: DbDep) -> list[photos.PhotoRead]:
    return photos.listing(db, actor, case_id)


@router.get("/{case_id}/photos/{photo_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def photo(case_id: Id, photo_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    content, content_type = photos.content(db, actor, case_id, photo_id)
    return Response(content, media_type=content_type)


@dashboard_router.get("/grassroots", response_model=GrassrootsBoard)
def grassroots_dashboard(actor: CurrentActor, db: DbDep) -> GrassrootsBoard:
    """三率 per grid, community, street and department, their definitions, the grids short of
    their 1+5, and the whistle rate (吹哨率) per community and street, flagged at both ends."""
    rates = dashboard.grassroots(db, actor)
    return GrassrootsBoard(**dict(rates), whistle=whistle_dashboard.whistle_rates(
        db, whistle_reference.rules()))
