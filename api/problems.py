"""RFC 7807 problem documents for every error, naming the field where there is one.

Input values are never echoed back: they may be a citizen's ID or phone number.
"""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

from services.platform.errors import DomainError

log = logging.getLogger("govflow.api")
PROBLEM_JSON = "application/problem+json"


class BodyTooLarge(Exception):
    """Raised while a body streams in past the limit (see api/middleware.py)."""


class FieldError(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    field: str = Field(description="the field at fault, dotted: `materials.0`")
    in_: str | None = Field(default=None, alias="in",
                            description="where it was: body, query, path or header")
    message: str


class Problem(BaseModel):
    """An RFC 7807 problem document: every error the API answers is one."""
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(default=None,
                                            description="one entry per field at fault")


# What each problem means, as the OpenAPI document says it (api/openapi.py).
PROBLEMS = {
    400: "The body could not be read at all (not UTF-8, or a broken form)",
    401: "No bearer token, or one that is invalid or expired, or a disabled account",
    403: "The caller's role may not do this",
    404: "No such object, or one outside the caller's scope (the two look the same)",
    409: "The object's state or version does not allow this now",
    413: "The request body is larger than GOVFLOW_MAX_BODY_BYTES",
    422: "Invalid input; `errors` names each field at fault",
}


def problem(status: int, detail: str, *, title: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None,
            extensions: dict | None = None) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title or phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every error with a problem document (api/openapi.py documents them)."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(exc.status, exc.detail, title=exc.title, errors=errors, headers=headers)


async def _body_too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
    return problem(413, "the request body is too large", title="Content Too Large")


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_field_error(e) for e in exc.errors()]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(422, f"invalid value for: {fields}", title="Invalid input", errors=errors)


def _field_error(error: dict) -> dict:
    location, *path = error["loc"] or ("body",)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field: not part of this request"
    return {"field": ".".join(str(p) for p in path) or str(location), "in": str(location),
            "message": message}


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(exc.status_code, detail, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Starlette's 405 names the methods of the first route on the path only; GET and POST
    /users are two routes, and Allow must name both."""
    return ", ".join(sorted({
        method for route in request.app.routes
        if route.matches(request.scope)[0] is not Match.NONE
        for method in getattr(route, "methods", None) or ()}))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "an unexpected error occurred; it has been logged")
