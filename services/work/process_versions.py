"""Publishing process versions and moving cases in flight from one version to another."""

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import processes
from policies.access import Actor
from policies.work_items import FINAL
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import InvalidInput
from services.platform.orchestration import OrchestrationError, Prefect
from services.work import outbox
from services.work.models import Case, PublishedVersion, WorkItem

IN_FLIGHT = "in_progress"


def current_version(session: Session, process: str) -> int:
    latest = session.scalar(select(PublishedVersion.version).where(
        PublishedVersion.process == process).order_by(PublishedVersion.id.desc())
        .limit(1))
    return latest or processes.FIRST_VERSION


def publish(db: Database, actor: Actor, process: str, version: int) -> None:
    """New cases of `process` start on `version` from now on; cases in flight keep theirs."""
    if (process, version) not in processes.VERSIONS:
        raise InvalidInput(f"{process} has no version {version}", field="version")

    def work(uow):
        before = current_version(uow.session, process)
        uow.session.add(PublishedVersion(process=process, version=version,
                                                published_by=actor.username,
                                                published_at=datetime.now(UTC)))
        audit.record(uow.session, actor, action="process.published", subject_type="process",
                     subject_id=process, before={"version": before}, after={"version": version})
        uow.commit()

    db.run(work)


class MigrationLine(BaseModel):
    case_id: int
    from_version: int
    waiting_at: list[str]
    adds: list[str]
    removes: list[str]


def plan(db: Database, process: str, to_version: int) -> list[MigrationLine]:
    """What moving every case in flight to `to_version` would change, case by case."""
    if (process, to_version) not in processes.VERSIONS:
        raise InvalidInput(f"{process} has no version {to_version}", field="version")
    with db.reading() as uow:
        in_flight = uow.session.scalars(select(Case).where(
            Case.process == process, Case.status == IN_FLIGHT,
            Case.process_version != to_version).order_by(Case.id))
        return [_line(uow.session, case, to_version) for case in in_flight]


def apply(db: Database, prefect: Prefect, actor: Actor, lines: list[MigrationLine],
          to_version: int) -> list[int]:
    """Move the planned cases: stop each old run, then start the case on the new version,
    where its flow replays the decisions already taken and waits where people have not
    decided. A case whose old run cannot be stopped is left where it is."""
    moved = []
    for line in lines:
        case_run = _flow_run_of(db, line.case_id)
        try:
            if case_run:
                prefect.cancel(case_run)
        except OrchestrationError:
            continue
        db.run(lambda uow, line=line: _move(uow, actor, line, to_version))
        moved.append(line.case_id)
    return moved


def _move(uow, actor: Actor, line: MigrationLine, to_version: int) -> None:
    case = uow.session.get(Case, line.case_id)
    case.process_version = to_version
    audit.record(uow.session, actor, action="case.migrated", subject_type="case",
                 subject_id=case.id, before={"process_version": line.from_version},
                 after={"process_version": to_version}, note=f"adds {line.adds}, "
                                                          f"removes {line.removes}")
    outbox.start_run(uow.session, case, f"v{to_version}")
    uow.commit()


def _line(session: Session, case: Case, to_version: int) -> MigrationLine:
    adds, removes = processes.step_changes(case.process, case.process_version, to_version)
    waiting = session.scalars(select(WorkItem.step).where(
        WorkItem.case_id == case.id,
        WorkItem.status.not_in([s.value for s in FINAL])))
    return MigrationLine(case_id=case.id, from_version=case.process_version,
                         waiting_at=sorted(set(waiting)), adds=adds, removes=removes)


def _flow_run_of(db: Database, case_id: int) -> str | None:
    with db.reading() as uow:
        return uow.session.get(Case, case_id).flow_run_id
