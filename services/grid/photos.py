"""Photos of an issue: added by whoever works on it (the reporter on patrol, the handler with
its result, the supervisor verifying by photos), read by whoever may read the issue."""

import hashlib
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from policies import access
from policies.access import Actor
from policies.grid.photos import PhotoRules, photo_problem, photo_type
from services.grid.issues import load_issue
from services.grid.models import GridPhoto
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Forbidden, InvalidInput, NotFound


class PhotoRead(BaseModel):
    id: int
    stage: str
    content_type: str
    size: int
    sha256: str
    added_by: str
    at: datetime


def add(db: Database, rules: PhotoRules, actor: Actor, case_id: int, content: bytes
        ) -> PhotoRead:
    if not access.is_staff(actor) or actor.role.value == "auditor":
        raise Forbidden("those who work on the issue add its photos")

    def work(uow) -> PhotoRead:
        _, issue = load_issue(uow.session, actor, case_id, lock=True)
        already = uow.session.scalar(select(func.count()).select_from(GridPhoto).where(
            GridPhoto.case_id == case_id))
        if problem := photo_problem(content, rules, already):
            raise InvalidInput(problem, field="file")
        photo = GridPhoto(case_id=case_id, stage=issue.stage,
                          content_type=photo_type(content, rules), size=len(content),
                          sha256=hashlib.sha256(content).hexdigest(), content=content,
                          added_by=actor.username, at=datetime.now(UTC))
        uow.session.add(photo)
        uow.session.flush()
        audit.record(uow.session, actor, action="issue.photo_added", subject_type="case",
                     subject_id=case_id, after={"photo": photo.id, "stage": photo.stage,
                                                "sha256": photo.sha256, "size": photo.size})
        uow.commit()
        return PhotoRead.model_validate(photo, from_attributes=True)

    return db.run(work)


def listing(db: Database, actor: Actor, case_id: int) -> list[PhotoRead]:
    with db.reading() as uow:
        load_issue(uow.session, actor, case_id)
        rows = uow.session.scalars(select(GridPhoto).where(GridPhoto.case_id == case_id)
                                   .order_by(GridPhoto.id))
        return [PhotoRead.model_validate(p, from_attributes=True) for p in rows]


def content(db: Database, actor: Actor, case_id: int, photo_id: int) -> tuple[bytes, str]:
    with db.reading() as uow:
        load_issue(uow.session, actor, case_id)
        photo = uow.session.get(GridPhoto, photo_id)
        if photo is None or photo.case_id != case_id:
            raise NotFound(f"no photo {photo_id} of issue {case_id}")
        return photo.content, photo.content_type
