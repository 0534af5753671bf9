from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import MAX_ID, CurrentActor, DbDep
from services.platform import audit_trail
from services.platform.audit_trail import AuditEventRead, AuditFilter

router = APIRouter(prefix="/audit", tags=["audit"])


class ChainRead(BaseModel):
    intact: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None


@router.get("", response_model=list[AuditEventRead])
def trail(actor: CurrentActor, db: DbDep, subject_type: str | None = None,
          subject_id: str | None = None, by: str | None = None, action: str | None = None,
          after_seq: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[AuditEventRead]:
    """The audit trail in order; page on with `after_seq` = the last `seq` received."""
    filters = AuditFilter(subject_type=subject_type, subject_id=subject_id, actor=by,
                          action=action, after_seq=after_seq)
    return audit_trail.read_trail(db, actor, filters, limit=limit)


@router.get("/verify", response_model=ChainRead)
def verify(actor: CurrentActor, db: DbDep) -> ChainRead:
    """Recompute the hash chain and name the first broken event, if any."""
    audit_trail.read_trail(db, actor, AuditFilter(), limit=1)  # same access rule as the trail
    report = audit_trail.verify_chain(db)
    return ChainRead(intact=report.intact, checked=report.checked,
                     first_broken_seq=report.first_broken_seq, reason=report.reason)
