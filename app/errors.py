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

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


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
