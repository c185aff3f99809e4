"""Domain errors: raised by services and dependencies, rendered by app.api.errors."""

from __future__ import annotations

from app.schemas.common import FieldError


def describe(location: str, name: str, message: str) -> str:
    """The one wording of a parameter problem: "Query parameter 'limit': ..."."""
    return f"{location.capitalize()} parameter {name!r}: {message}"


class AppError(Exception):
    """Base of errors the API turns into a problem response."""

    status: int = 500
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class NotFoundError(AppError):
    """A code in the path names nothing."""

    status = 404


class InvalidParameterError(AppError):
    """A parameter has a value the API cannot use (unknown code, malformed period...)."""

    status = 422

    def __init__(self, name: str, message: str, *, location: str = "query") -> None:
        super().__init__(
            describe(location, name, message),
            errors=[FieldError(location=location, name=name, message=message)],
        )


class UnknownParameterError(AppError):
    """A query parameter the endpoint does not take (most often a typo)."""

    status = 400


class InvalidBodyError(AppError):
    """A request body that cannot be used; `errors` name the fields."""

    status = 422


class UnauthorizedError(AppError):
    """No key, or one that is unknown or revoked."""

    status = 401

    def __init__(self, detail: str) -> None:
        # RFC 6750: say which scheme the API takes, and that the token was the problem.
        challenge = 'Bearer realm="jinzhong"'
        if "invalid" in detail or "revoked" in detail:
            challenge += ', error="invalid_token"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class ForbiddenError(AppError):
    """A valid key without the scope the request needs."""

    status = 403


class TooManyRequestsError(AppError):
    """Too many failed authentications from one client."""

    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class ConflictError(AppError):
    """A record with that code exists already."""

    status = 409


class PreconditionFailedError(AppError):
    """If-Match names another version of the record: someone changed it meanwhile."""

    status = 412


class PreconditionRequiredError(AppError):
    """A write to an existing record without If-Match."""

    status = 428


class PayloadTooLargeError(AppError):
    """A request body over WRITE_MAX_BYTES."""

    status = 413


class UnsupportedMediaTypeError(AppError):
    """A request body that is not JSON."""

    status = 415
