from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import DbDep, SettingsDep
from api.problems import Problem
from services import identity

router = APIRouter(prefix="/auth", tags=["identity"])


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenRead, responses={
    401: {"model": Problem, "description": "Wrong username or password, or a disabled account"}})
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DbDep,
          settings: SettingsDep) -> TokenRead:
    """OAuth2 password flow: a staff member's username and password for a bearer token."""
    actor = identity.authenticate(db, form.username, form.password)
    return TokenRead(access_token=identity.issue_token(settings, actor),
                     expires_in=settings.token_minutes * 60)
