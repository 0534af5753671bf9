from fastapi import APIRouter, status

from api.deps import CalendarDep, CurrentActor, DbDep, Today
from services import cases
from services.cases import CaseCreate, CaseDetail, CaseRead

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", response_model=CaseRead, status_code=status.HTTP_201_CREATED)
def start_case(data: CaseCreate, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
               today: Today) -> CaseRead:
    """A station clerk opens a case; its process starts without the caller waiting for it."""
    return cases.start_case(db, calendar, actor, data, today)


@router.get("/{case_id}", response_model=CaseDetail)
def get_case(case_id: int, actor: CurrentActor, db: DbDep) -> CaseDetail:
    """Status, deadline (and whether its clock stands still), steps, escalations, flow run."""
    return cases.get_case(db, actor, case_id)
