"""Reading and checking the audit trail (auditors and administrators)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from policies.access import Actor, Role
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Forbidden


class AuditEventRead(BaseModel):
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    hash: str


class AuditFilter(BaseModel):
    subject_type: str | None = None
    subject_id: str | None = None
    actor: str | None = None
    action: str | None = None
    after_seq: int = 0


def read_trail(db: Database, actor: Actor, f: AuditFilter, *, limit: int) -> list[AuditEventRead]:
    if actor.role not in (Role.AUDITOR, Role.ADMIN):
        raise Forbidden("the audit trail is for auditors and administrators")
    with db.reading() as uow:
        rows = uow.session.scalars(audit.query(**f.model_dump(), limit=limit))
        return [AuditEventRead.model_validate(r, from_attributes=True) for r in rows]


def verify_chain(db: Database) -> audit.ChainReport:
    with db.reading() as uow:
        return audit.verify(uow.session)
