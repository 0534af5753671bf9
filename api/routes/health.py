from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import DbDep, SettingsDep
from api.problems import Problem, problem
from services.platform import readiness
from services.platform.readiness import Check, Readiness

router = APIRouter(tags=["health"])


class NotReady(Problem):
    """The problem /readyz answers with, carrying the readiness report."""
    ready: bool
    checks: list[Check]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (liveness); says nothing of its dependencies."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {
    "model": NotReady, "description": "Not ready: the checks say what is failing"}})
def readyz(db: DbDep, settings: SettingsDep):
    """Ready when the database is migrated and loaded and the Prefect server answers."""
    report = readiness.check(db, settings.prefect_api_url, settings.supervisor_status_file)
    if report.ready:
        return report
    failing = ", ".join(c.name for c in report.checks if not c.ok)
    return problem(503, f"not ready: {failing}", extensions=report.model_dump())


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics_registry),
                    media_type=CONTENT_TYPE_LATEST)
