"""The floor the intake benchmark compares against: a bare FastAPI + SQLAlchemy endpoint that
inserts the same case row an on-the-spot application writes, served by the same app, process
and database, through the project's own `Database` (engine, pool, SQLite pragmas and writer
lock, PostgreSQL retry). What it leaves out is govflow's intake work: validation of ID and
phone numbers, the bearer token and account, the receipt number, the audit hash chain, the
outbox, the idempotency key and the response read back from the database.

Mounted only here, for the benchmark:

    uvicorn --factory bench.bare:create_app
"""

import uuid
from datetime import UTC, date, datetime

from fastapi import APIRouter, FastAPI, status
from pydantic import BaseModel

from api.app import create_app as create_govflow_app
from api.deps import DbDep
from services.work.models import Case

PREFIX = "/bench/bare/applications"
router = APIRouter(prefix=PREFIX, tags=["benchmark only"])


class BareCreate(BaseModel):
    """The intake's body, as plain fields: no discriminated union, no check digits."""

    service: str
    station: str
    applicant: dict
    materials: list[str] = []
    department: str | None = None  # the intake looks it up in the catalogue; here it is given


class BareRead(BaseModel):
    id: int
    receipt_no: str
    status: str


@router.post("", response_model=BareRead, status_code=status.HTTP_201_CREATED)
def insert(data: BareCreate, db: DbDep) -> BareRead:
    def work(uow) -> BareRead:
        # The columns an on-the-spot decision leaves on the case (applications._open_case and
        # _accept), with the department and dates given rather than looked up or computed.
        now, today = datetime.now(UTC), date.today()
        case = Case(
            receipt_no=uuid.uuid4().hex, process="approval", process_version=1,
            status="approved", service_code=data.service, department_code=data.department,
            station_code=data.station, subject=f"{data.service}：{data.applicant['name']}",
            accepted_on=today, finished_on=today, due_on=today, legal_due_on=today,
            details={"applicant": data.applicant, "agent": None, "channel": "station",
                     "provided": sorted(set(data.materials)), "missing": [], "deferred": []},
            outcome={"outcome": "approve", "on_the_spot": True, "decided_by": "bare"},
            created_at=now, updated_at=now)
        uow.session.add(case)
        uow.commit()
        return BareRead(id=case.id, receipt_no=case.receipt_no, status=case.status)

    return db.run(work)


@router.get("/{case_id}", response_model=BareRead)
def read(case_id: int, db: DbDep) -> BareRead:
    with db.reading() as uow:
        case = uow.session.get(Case, case_id)
        return BareRead(id=case.id, receipt_no=case.receipt_no, status=case.status)


def create_app() -> FastAPI:
    app = create_govflow_app()
    app.include_router(router)
    return app
