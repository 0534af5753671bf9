"""The policy handbook (/handbook/…): public policy pages, readable without signing in.

Pages, not API: kept out of the OpenAPI document."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from services.handbook.site import served_page
from services.platform.errors import NotFound

router = APIRouter(prefix="/handbook", tags=["handbook"], include_in_schema=False)


@router.get("")
def handbook_root() -> RedirectResponse:
    # Pages link relatively; the home page must be /handbook/ for its links to resolve.
    return RedirectResponse("/handbook/", status_code=308)


@router.get("/{path:path}")
def handbook_page(path: str) -> Response:
    page = served_page(path)
    if page is None:
        raise NotFound(f"the handbook has no page {path!r}", field="path")
    return Response(page.body, media_type=page.media_type)
