"""The one place errors become responses: RFC 9457 problem+json for ours and FastAPI's own."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.errors import AppError
from app.observability import REQUEST_ID_KEY
from app.schemas.common import FieldError, Problem

PROBLEM_JSON = "application/problem+json"


logger = logging.getLogger("jinzhong.errors")


def problem_response(
    status: int,
    detail: str,
    request: Request,
    *,
    errors: list[FieldError] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render one problem document; every error response of the API goes through here."""
    problem = Problem(
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or None,
    )
    response = JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )
    # Problem details are written in English whatever language was asked for.
    response.headers["Content-Language"] = "en"
    response.headers.add_vary_header("Accept-Language")
    return response


def _location_and_name(loc: tuple[Any, ...]) -> tuple[str, str]:
    where = str(loc[0]) if loc else "request"
    name = ".".join(str(part) for part in loc[1:]) or where
    return where, name


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status, exc.detail, request, errors=exc.errors, title=exc.title, headers=exc.headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        where, name = _location_and_name(tuple(error.get("loc", ())))
        errors.append(FieldError(location=where, name=name, message=error.get("msg", "invalid")))
    detail = "; ".join(
        f"{e.location.capitalize()} parameter {e.name!r}: {e.message}" for e in errors
    )
    return problem_response(422, detail or "The request is not valid.", request, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return problem_response(exc.status_code, detail, request, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this request's path, for a 405's Allow header.

    The router's own 405 names only the first route it found there, and reads and writes of
    one path are different routes (GET /v1/entities and POST /v1/entities)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.path and route.methods:
            regex, _, _ = compile_path(route.path)
            if regex.match(request.scope["path"]):
                methods |= route.methods
    if "GET" in methods:  # HEAD is answered wherever GET is (HttpTidyMiddleware)
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # The database is missing, locked, corrupt or too slow: the service is unavailable for
    # now, which is not the client's fault and not a crash. /readyz says which.
    reason = str(getattr(exc, "orig", exc))
    logger.warning("database error: %s", reason.splitlines()[0] if reason else type(exc).__name__)
    # SQLite's progress handler interrupts; PostgreSQL cancels on its statement_timeout.
    if "interrupted" in reason or "statement timeout" in reason:
        detail = "A database query took longer than the statement timeout and was stopped."
    else:
        detail = "The database is unavailable; see /readyz."
    return problem_response(503, detail, request, headers={"Retry-After": "5"})


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Logged here, as a JSON line with the request id, so the client's X-Request-ID finds it.
    # The front door (app/middleware.py) puts the id and the security headers on the answer.
    request_id = request.scope.get(REQUEST_ID_KEY)
    logger.error(
        "unexpected error",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": request_id},
    )
    return problem_response(500, "An unexpected error occurred; it has been logged.", request)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error, ours and the framework's, to problem+json."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
