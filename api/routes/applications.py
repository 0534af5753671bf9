from typing import Annotated, Literal

from fastapi import APIRouter, Header, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CalendarDep, CurrentActor, DbDep, SettingsDep, Today
from services import applications
from services.applications import ApplicationCreate, ApplicationRead

router = APIRouter(prefix="/applications", tags=["one-stop"])


class MaterialsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    materials: list[str] = Field(min_length=1, max_length=50)


@router.post("", response_model=ApplicationRead, status_code=status.HTTP_201_CREATED)
def submit(data: ApplicationCreate, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
           today: Today, idempotency_key: Annotated[str | None, Header(
               max_length=100, description="a retry with the same key gets the original "
                                           "answer; the same key with another body is refused")
           ] = None) -> ApplicationRead:
    """Accept an application at a station: receipt number, promised date and — if anything is
    missing — the single notice of everything missing, at once; 马上办 services are decided
    here and then."""
    return applications.submit(db, calendar, actor, data, today, idempotency_key)


@router.get("/{case_id}", response_model=ApplicationRead)
def get(case_id: int, actor: CurrentActor, db: DbDep) -> ApplicationRead:
    return applications.get(db, actor, case_id)


@router.post("/{case_id}/materials", response_model=ApplicationRead)
def supply(case_id: int, body: MaterialsBody, actor: CurrentActor, db: DbDep,
           calendar: CalendarDep, today: Today) -> ApplicationRead:
    """Materials supplied at the counter: the application goes on where it stopped."""
    return applications.supply(db, calendar, actor, case_id, body.materials, today)


@router.get("/{case_id}/documents/{kind}", response_class=HTMLResponse)
def document(case_id: int, kind: Literal["notice", "certificate"], actor: CurrentActor,
             db: DbDep, settings: SettingsDep) -> HTMLResponse:
    """The single notice (一次性告知书) or the certificate, printable."""
    return HTMLResponse(applications.document(db, actor, case_id, kind, settings.secret_key))
