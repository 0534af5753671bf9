"""Party members' own accounts (role member): a member signs in and reads its own volunteer
plan, hours and service card, nothing else. The member's community (or unit's paired
community, the street above, the district) opens the account; its username is
`member-<code>` and it is linked to the member record, which is how the member's reads are
found."""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform import audit, identity
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict
from services.volunteering.models import VolunteerMember


class MemberAccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=10, max_length=200)


def username_of(code: str) -> str:
    return f"member-{code.lower()}"


def open_account(db: Database, actor: Actor, code: str, data: MemberAccountCreate) -> dict:
    """One account per member; a second is refused (409)."""
    password_hash = identity.hash_password(data.password)

    def work(uow) -> dict:
        s = uow.session
        member = s.get(VolunteerMember, code)
        username = username_of(code)
        if member.account or s.scalar(select(models.User.id).where(
                models.User.username == username)):
            raise Conflict(f"member {code} has an account already", field="code")
        user = models.User(username=username, full_name=member.name_zh,
                           password_hash=password_hash, role=Role.MEMBER.value, active=True,
                           created_at=datetime.now(UTC))
        s.add(user)
        s.flush()
        member.account = username
        audit.record(s, actor, action="user.created", subject_type="user", subject_id=user.id,
                     after={"username": username, "role": Role.MEMBER.value, "member": code})
        uow.commit()
        return {"member": code, "username": username}

    return db.run(work)
