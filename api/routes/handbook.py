"""The policy handbook (/handbook/…): public policy pages, readable without signing in; how
cases actually went (process mining of the audit trail) and each process's dashboard figures
over time for auditors and administrators, who
sign in at /handbook/login (a cookie scoped to /handbook) or send their bearer token.

Pages, not API: kept out of the OpenAPI document."""

from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Header
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import DbDep, SettingsDep
from policies.handbook.access import may_read_mining
from services.handbook.site import figures_page, login_page, mining_page, served_page
from services.platform import identity
from services.platform.errors import Forbidden, NotFound, Unauthenticated

router = APIRouter(prefix="/handbook", tags=["handbook"], include_in_schema=False)
COOKIE = "govflow_handbook"


@router.get("")
def handbook_root() -> RedirectResponse:
    # Pages link relatively; the home page must be /handbook/ for its links to resolve.
    return RedirectResponse("/handbook/", status_code=308)


@router.get("/login")
def handbook_login_form() -> HTMLResponse:
    return HTMLResponse(login_page().body)


@router.post("/login")
def handbook_login(username: Annotated[str, Form(max_length=64)],
                   password: Annotated[str, Form(max_length=256)],
                   db: DbDep, settings: SettingsDep) -> Response:
    try:
        actor = identity.authenticate(db, username, password)
    except Unauthenticated:
        return HTMLResponse(login_page("用户名或密码不对").body, status_code=401)
    if not may_read_mining(actor):
        return HTMLResponse(login_page("过程挖掘只对审计人员和管理员开放").body, status_code=403)
    response = RedirectResponse("/handbook/mining", status_code=303)
    response.set_cookie(COOKIE, identity.issue_token(settings, actor), httponly=True,
                        samesite="strict", path="/handbook",
                        max_age=settings.token_minutes * 60)
    return response


@router.get("/mining")
def handbook_mining(db: DbDep, settings: SettingsDep,
                    authorization: Annotated[str | None, Header()] = None,
                    cookie: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    return _for_auditors(db, settings, authorization, cookie, mining_page)


@router.get("/figures")
def handbook_figures(db: DbDep, settings: SettingsDep,
                     authorization: Annotated[str | None, Header()] = None,
                     cookie: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    return _for_auditors(db, settings, authorization, cookie, figures_page)


def _for_auditors(db, settings, authorization: str | None, cookie: str | None,
                  render) -> Response:
    """The pages drawn from the business data: auditors and administrators only."""
    token = authorization.removeprefix("Bearer ").strip() if authorization else cookie
    if not token:
        return RedirectResponse("/handbook/login", status_code=303)
    actor = identity.actor_from_token(db, settings, token)
    if not may_read_mining(actor):
        raise Forbidden("process mining and figures are for auditors and administrators")
    page = render(db)
    return Response(page.body, media_type=page.media_type)


@router.get("/{path:path}")
def handbook_page(path: str) -> Response:
    page = served_page(path)
    if page is None:
        raise NotFound(f"the handbook has no page {path!r}", field="path")
    return Response(page.body, media_type=page.media_type)
