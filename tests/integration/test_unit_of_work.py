import pytest
from sqlalchemy import select, text

from policies.access import Actor, Role
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database

admin = Actor(username="admin", role=Role.ADMIN)


def test_a_unit_that_fails_half_way_leaves_nothing_behind(fresh_db: Database):
    def work(uow):
        uow.session.add(models.Department(code="half", name_zh="半", name_en="Half",
                                          head_title_zh="局长"))
        audit.record(uow.session, admin, action="department.created",
                     subject_type="department", subject_id="half")
        raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        fresh_db.run(work)
    with fresh_db.reading() as uow:
        assert uow.session.get(models.Department, "half") is None
        assert uow.session.scalars(select(models.AuditEvent)).all() == []


def test_a_serialization_failure_is_retried_until_it_commits(fresh_db: Database):
    if fresh_db.engine.dialect.name != "postgresql":
        pytest.skip("serialization failures are a PostgreSQL matter")
    with fresh_db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO departments VALUES ('d1', '甲', 'D1', '局长')"))
    attempts = []

    def work(uow):
        attempts.append(1)
        session = uow.session
        session.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
        session.execute(text("SELECT head_title_zh FROM departments WHERE code = 'd1'")).one()
        if len(attempts) == 1:  # a concurrent writer commits first, as happens at a counter
            with fresh_db.engine.begin() as other:
                other.execute(text(
                    "UPDATE departments SET head_title_zh = '主任' WHERE code = 'd1'"))
        session.execute(text(
            "UPDATE departments SET name_zh = '乙' WHERE code = 'd1'"))
        uow.commit()

    fresh_db.run(work)
    assert len(attempts) == 2
    with fresh_db.reading() as uow:
        row = uow.session.get(models.Department, "d1")
        assert (row.name_zh, row.head_title_zh) == ("乙", "主任")
