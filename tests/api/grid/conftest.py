"""Grid members for the grid loop's API tests: accounts of the grid-member role, scoped to
one grid (QL-06)."""

import pytest
from sqlalchemy import select

from policies.access import Role
from services.platform import identity
from services.platform.db import models
from tests.conftest import DEMO_PASSWORD, SYSTEM

G01 = "haicang-street-haicang-g01"  # 海沧社区第一网格
G02 = "haicang-street-haicang-g02"  # 海沧社区第二网格
COMMUNITY_SECRETARY = "secretary-haicang-street-haicang"  # 海沧社区书记
STREET_SECRETARY = "secretary-haicang-street"  # 海沧街道书记


def ensure_grid_member(db, username: str, grid: str) -> str:
    with db.reading() as uow:
        taken = uow.session.scalar(select(models.User).where(models.User.username == username))
    if not taken:
        identity.create_user(db, SYSTEM, identity.UserCreate(
            username=username, full_name="网格员", password=DEMO_PASSWORD,
            role=Role.GRID_MEMBER, org_unit=grid))
    return username


@pytest.fixture(scope="session")
def member(db, login):
    """A grid member of 海沧社区第一网格, logged in."""
    return login(ensure_grid_member(db, "grid-g01-lin", G01))


@pytest.fixture(scope="session")
def other_member(db, login):
    return login(ensure_grid_member(db, "grid-g02-chen", G02))
