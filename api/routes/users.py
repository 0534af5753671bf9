from fastapi import APIRouter, status

from api.deps import CurrentActor, DbDep, Id, Limit, Offset
from services.platform import identity
from services.platform.identity import UserCreate, UserRead

router = APIRouter(prefix="/users", tags=["identity"])


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, actor: CurrentActor, db: DbDep) -> UserRead:
    """Administrators create staff accounts, each scoped to a station, department or unit."""
    return identity.create_user(db, actor, data)


@router.get("", response_model=list[UserRead])
def list_users(actor: CurrentActor, db: DbDep, limit: Limit = 50, offset: Offset = 0
               ) -> list[UserRead]:
    """Accounts within the caller's scope; ID and phone numbers masked unless the caller
    serves them."""
    return identity.list_users(db, actor, limit=limit, offset=offset)


@router.get("/{user_id}", response_model=UserRead)
def get_user(user_id: Id, actor: CurrentActor, db: DbDep) -> UserRead:
    return identity.get_user(db, actor, user_id)
