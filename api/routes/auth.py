from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import DbDep, SettingsDep
from api.problems import Problem
from services.one_stop import applicants
from services.one_stop.applicants import ApplicantRead, ApplicantRegistration
from services.platform import identity

router = APIRouter(prefix="/auth", tags=["identity"])


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenRead, responses={
    401: {"model": Problem, "description": "Wrong username or password, or a disabled account"}})
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DbDep,
          settings: SettingsDep) -> TokenRead:
    """OAuth2 password flow for a bearer token: a staff member's username, or an applicant's
    citizen ID number or credit code, and the password."""
    actor = identity.authenticate(db, form.username, form.password)
    return TokenRead(access_token=identity.issue_token(settings, actor),
                     expires_in=settings.token_minutes * 60)


@router.post("/applicants", response_model=ApplicantRead, status_code=status.HTTP_201_CREATED,
             responses={
                 403: {"model": Problem, "description": "Production mode: applicants sign in "
                                                        "through the provincial identity platform"},
                 409: {"model": Problem, "description": "An account for this citizen ID number "
                                                        "or credit code exists already"}})
def register_applicant(data: ApplicantRegistration, db: DbDep,
                       settings: SettingsDep) -> ApplicantRead:
    """Embedded mode: a citizen (with its ID number) or an enterprise (with its unified social
    credit code) opens its own account, then signs in at /auth/token with that number. It then
    applies online and follows, supplements, downloads and rates its own applications."""
    return applicants.register(db, settings, data)
