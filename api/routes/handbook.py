"""The policy handbook (/handbook/…): public policy pages, readable without signing in; how
cases actually went (process mining of the audit trail) for auditors and administrators.

Pages, not API: kept out of the OpenAPI document."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from api.deps import CurrentActor, DbDep
from policies.handbook.access import may_read_mining
from services.handbook.site import mining_page, served_page
from services.platform.errors import Forbidden, NotFound

router = APIRouter(prefix="/handbook", tags=["handbook"], include_in_schema=False)


@router.get("")
def handbook_root() -> RedirectResponse:
    # Pages link relatively; the home page must be /handbook/ for its links to resolve.
    return RedirectResponse("/handbook/", status_code=308)


@router.get("/mining")
def handbook_mining(actor: CurrentActor, db: DbDep) -> Response:
    if not may_read_mining(actor):
        raise Forbidden("process mining is for auditors and administrators")
    page = mining_page(db)
    return Response(page.body, media_type=page.media_type)


@router.get("/{path:path}")
def handbook_page(path: str) -> Response:
    page = served_page(path)
    if page is None:
        raise NotFound(f"the handbook has no page {path!r}", field="path")
    return Response(page.body, media_type=page.media_type)
