"""What anyone may read of grid issues (the Open311 adapter's GET requests): no raiser, no
contact, personal numbers in descriptions masked; where it is, what, who handles it, by when."""

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from policies.grid.categories import Catalogue
from policies.grid.loop import STAGE_ZH, Stage
from policies.personal_data import mask_in_text
from services.grid.models import GridIssue
from services.platform.db import models
from services.platform.db.uow import Database
from services.work.models import Case

MAX_REQUESTS = 1000  # the spec's default limit


class PublicIssue(BaseModel):
    id: int
    category: str
    category_name: str
    description: str
    closed: bool
    stage_zh: str
    notes: str | None
    agency: str
    notice: str
    address: str
    latitude: float | None
    longitude: float | None
    reported_at: datetime
    updated_at: datetime
    due_on: date


def public_issues(db: Database, catalogue: Catalogue, *, ids: list[int] | None = None,
                  category: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, closed: bool | None = None,
                  limit: int = MAX_REQUESTS) -> list[PublicIssue]:
    stmt = select(Case, GridIssue).join(GridIssue, GridIssue.case_id == Case.id)
    if ids is not None:
        stmt = stmt.where(Case.id.in_(ids))
    if category is not None:
        stmt = stmt.where(GridIssue.category == category)
    if since is not None:
        stmt = stmt.where(GridIssue.reported_at >= since)
    if until is not None:
        stmt = stmt.where(GridIssue.reported_at <= until)
    if closed is not None:
        stmt = stmt.where((GridIssue.stage == Stage.CLOSED.value) if closed
                          else (GridIssue.stage != Stage.CLOSED.value))
    with db.reading() as uow:
        names = {u.code: u.name_zh for u in uow.session.scalars(select(models.OrgUnit).where(
            models.OrgUnit.level.in_(["grid", "community"])))}
        names |= {d.code: d.name_zh for d in uow.session.scalars(select(models.Department))}
        rows = uow.session.execute(stmt.order_by(Case.id.desc()).limit(limit)).all()
        return [_public(catalogue, names, c, i) for c, i in rows]


def _public(catalogue: Catalogue, names: dict[str, str], case: Case,
            issue: GridIssue) -> PublicIssue:
    category = catalogue.get(issue.category)
    agency = names.get(issue.handler_group.partition(":")[2], issue.handler_group)
    notes = None
    if issue.stage == Stage.CLOSED.value:
        notes = f"已办结；督查合格，已向反映人反馈。{issue.feedback or ''}".strip()
    return PublicIssue(
        id=case.id, category=issue.category,
        category_name=category.name_zh if category else issue.category,
        description=mask_in_text(issue.description), closed=issue.stage == Stage.CLOSED.value,
        stage_zh=STAGE_ZH[Stage(issue.stage)], notes=notes or STAGE_ZH[Stage(issue.stage)],
        agency=agency, notice=f"由{agency}办理，{case.due_on}前办结",
        address=issue.address or " ".join(filter(None, [names.get(issue.grid, issue.grid),
                                                        issue.building])),
        latitude=issue.latitude, longitude=issue.longitude, reported_at=issue.reported_at,
        updated_at=case.updated_at, due_on=case.due_on)


def grid_names(db: Database) -> dict[str, str]:
    """Every grid: code → name (the Open311 `grid` attribute's values)."""
    with db.reading() as uow:
        return {u.code: u.name_zh for u in uow.session.scalars(select(models.OrgUnit).where(
            models.OrgUnit.level == "grid").order_by(models.OrgUnit.code))}
