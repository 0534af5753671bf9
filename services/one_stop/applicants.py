"""Applicants' accounts: citizens and enterprises who apply, follow and receive online (HC-11d).

An applicant's account speaks for one citizen ID number (GB 11643) or one unified social
credit code (GB 32100), and reaches exactly the applications filed under that number, at a
counter or online (policies/access.py). The account's username is a random handle, so bearer
tokens and the audit trail name no one; the applicant signs in with its number.

Where the account comes from depends on the mode:

- embedded: the applicant registers itself (`register`) with a password. Nothing but the
  check digit is verified, so whoever knows a number may claim it: fit for demonstration only.
- production: self-registration is refused. The provincial unified identity platform
  verifies the real person or enterprise, and its adapter calls
  `account_from_provincial_identity` — the one seam to connect (see its docstring).
"""

import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from policies.access import Actor, Role
from policies.personal_data import mask_citizen_id, mask_phone
from services.platform import audit, identity
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput
from services.platform.settings import Settings
from services.platform.validation import CitizenId, CreditCode, Mobile


class ApplicantRegistration(BaseModel):
    """A citizen gives its ID number, an enterprise its credit code: one of the two."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    id_number: CitizenId | None = Field(default=None, description="a person's citizen ID number")
    credit_code: CreditCode | None = Field(
        default=None, description="an enterprise's unified social credit code")
    phone: Mobile
    password: str = Field(min_length=10, max_length=200)


class VerifiedApplicant(BaseModel):
    """Who the provincial identity provider vouches for (real-name verified)."""

    name: str
    id_number: str | None = None
    credit_code: str | None = None
    phone: str


class ApplicantRead(BaseModel):
    username: str = Field(description="the account's handle; sign in with the ID number or "
                                      "credit code")
    name: str
    kind: Literal["person", "enterprise"]
    id_number: str | None = Field(description="masked")
    credit_code: str | None
    phone: str = Field(description="masked")


def register(db: Database, settings: Settings, data: ApplicantRegistration) -> ApplicantRead:
    """Embedded mode only: an applicant opens its own account."""
    if settings.mode == "production":
        raise Forbidden("applicants sign in through the provincial identity platform; "
                        "self-registration is off in production")
    field, number = _number(data.id_number, data.credit_code)

    def work(uow) -> ApplicantRead:
        if uow.session.scalar(select(models.User.id).where(
                models.User.applicant_number == number)):
            raise Conflict("an account for this applicant exists already: sign in with the "
                           "number and its password", field=field)
        user = _open_account(uow.session, data.name, (field, number), data.phone,
                             identity.hash_password(data.password))
        uow.commit()
        return _read(user)

    try:
        return db.run(work)
    except IntegrityError:  # registered at the same moment by another request
        raise Conflict("an account for this applicant exists already", field=field) from None


def account_from_provincial_identity(db: Database, verified: VerifiedApplicant) -> Actor:
    """THE PRODUCTION SEAM. The provincial unified identity platform (统一身份认证) verifies
    the applicant and returns signed claims; an adapter for it — an OIDC or SAML callback
    route, not built here — checks the signature, maps the claims onto `VerifiedApplicant`
    and calls this. It finds the applicant's account (opening one, without a usable password,
    at the first sign-in), keeps name and phone as the provider last said, and returns the
    actor; the adapter then issues the usual bearer token (`identity.issue_token`)."""
    field, number = _number(verified.id_number, verified.credit_code)

    def work(uow) -> Actor:
        user = uow.session.scalar(select(models.User).where(
            models.User.applicant_number == number))
        if user is None:
            user = _open_account(uow.session, verified.name, (field, number), verified.phone,
                                 identity.hash_password(secrets.token_urlsafe(32)))
        user.full_name, user.phone = verified.name, verified.phone
        uow.commit()
        return identity.actor_of(user)

    return db.run(work)


def _number(id_number: str | None, credit_code: str | None) -> tuple[str, str]:
    """The field and number an account speaks for: exactly one of the two."""
    if id_number and credit_code:
        raise InvalidInput("a person gives an ID number, an enterprise a credit code: not both",
                           field="credit_code")
    if not (id_number or credit_code):
        raise InvalidInput("give a person's id_number or an enterprise's credit_code",
                           field="id_number")
    return ("id_number", id_number) if id_number else ("credit_code", credit_code)


def _open_account(session, name: str, numbered: tuple[str, str], phone: str,
                  password_hash: str) -> models.User:
    """A person's account also keeps the number as its ID number: that tells the two apart."""
    field, number = numbered
    user = models.User(username=f"applicant-{secrets.token_hex(5)}", full_name=name,
                       password_hash=password_hash, role=Role.APPLICANT.value,
                       applicant_number=number, id_number=number if field == "id_number" else None,
                       phone=phone, active=True, created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    audit.record(session, identity.actor_of(user), action="applicant.registered",
                 subject_type="user", subject_id=user.id,
                 after={"username": user.username, "kind": _kind(user),
                        "phone": mask_phone(phone)})
    return user


def _kind(user: models.User) -> Literal["person", "enterprise"]:
    return "person" if user.id_number else "enterprise"


def _read(user: models.User) -> ApplicantRead:
    person = _kind(user) == "person"
    return ApplicantRead(
        username=user.username, name=user.full_name, kind=_kind(user),
        id_number=mask_citizen_id(user.id_number) if person else None,
        credit_code=None if person else user.applicant_number, phone=mask_phone(user.phone))
