"""RFC 7807 problem documents for every error, naming the field where there is one.

Input values are never echoed back: they may be a citizen's ID or phone number.
"""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.errors import DomainError

log = logging.getLogger("govflow.api")
PROBLEM_JSON = "application/problem+json"


class BodyTooLarge(Exception):
    """Raised while a body streams in past the limit (see api/middleware.py)."""


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


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "an unexpected error occurred; it has been logged")
