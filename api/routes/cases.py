from fastapi import APIRouter, status

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Today
from services.work import cases, extensions
from services.work.cases import CaseCreate, CaseDetail, CaseRead
from services.work.extensions import ExtensionCreate, ExtensionDecision, ExtensionRead

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", response_model=CaseRead, status_code=status.HTTP_201_CREATED)
def start_case(data: CaseCreate, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
               today: Today) -> CaseRead:
    """A station clerk opens a case; its process starts without the caller waiting for it."""
    return cases.start_case(db, calendar, actor, data, today)


@router.get("/{case_id}", response_model=CaseDetail)
def get_case(case_id: Id, actor: CurrentActor, db: DbDep) -> CaseDetail:
    """Status, deadline (and whether its clock stands still), steps, escalations, flow run."""
    return cases.get_case(db, actor, case_id)


@router.post("/{case_id}/extensions", response_model=ExtensionRead,
             status_code=status.HTTP_201_CREATED)
def request_extension(case_id: Id, data: ExtensionCreate, actor: CurrentActor, db: DbDep,
                      calendar: CalendarDep) -> ExtensionRead:
    """The deciding department asks for more working days (up to the legal limit)."""
    return extensions.request(db, calendar, actor, case_id, data)


@router.post("/{case_id}/extensions/{extension_id}/decision", response_model=ExtensionRead)
def decide_extension(case_id: Id, extension_id: Id, data: ExtensionDecision,
                     actor: CurrentActor, db: DbDep, calendar: CalendarDep) -> ExtensionRead:
    """A supervising secretary or an administrator approves or refuses the extension."""
    return extensions.decide(db, calendar, actor, case_id, extension_id, data)
