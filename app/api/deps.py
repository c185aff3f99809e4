"""Shared parameters: pagination, the list envelope with its Link header, strict query strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.errors import UnknownParameterError
from app.schemas.common import FieldError, Page, PageLinks, Problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
PageT = TypeVar("PageT", bound=Page[Any])


@dataclass(frozen=True)
class Pagination:
    """Which slice of a list to return."""

    limit: int
    offset: int


def get_pagination(
    limit: Annotated[
        int, Query(ge=0, le=MAX_LIMIT, description="Items per page (0 returns only the total).")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> Pagination:
    """Read limit and offset; out-of-range values are 422s naming the parameter."""
    return Pagination(limit, offset)


PaginationDep = Annotated[Pagination, Depends(get_pagination)]


def page_of(
    page_type: type[PageT],
    items: Sequence[Any],
    total: int,
    pagination: Pagination,
    request: Request,
    response: Response,
) -> PageT:
    """Wrap items in the list envelope and put the same links in an RFC 8288 Link header."""
    limit, offset = pagination.limit, pagination.offset
    next_url = prev_url = None
    if limit and offset + limit < total:
        next_url = str(request.url.include_query_params(offset=offset + limit))
    if limit and offset > 0:
        # From beyond the end, "prev" leads back to the last page that has items.
        prev_offset = max(0, min(offset, total) - limit)
        prev_url = str(request.url.include_query_params(offset=prev_offset))
    links = [
        f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", prev_url)) if url
    ]
    if links:
        response.headers["Link"] = ", ".join(links)
    return page_type(
        items=list(items),
        total=total,
        limit=limit,
        offset=offset,
        links=PageLinks(next=next_url, prev=prev_url),
    )


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query_params(request: Request) -> None:
    """Answer 400 for a query parameter the endpoint does not take, instead of ignoring it."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _query_names(route.dependant)  # a walk of a few nodes: cheaper than a cache
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        accepted = ", ".join(sorted(allowed)) or "none"
        raise UnknownParameterError(
            f"Unknown query parameter(s): {', '.join(unknown)}. This endpoint accepts: {accepted}.",
            errors=[
                FieldError(location="query", name=name, message="unknown parameter")
                for name in unknown
            ],
        )


def base_url(request: Request) -> str:
    """The server's base URL without a trailing slash, for building resource links."""
    return str(request.base_url).rstrip("/")


def url(request: Request, path: str, **params: Any) -> str:
    """An absolute URL for `path` on this server."""
    query = urlencode(params)
    return f"{base_url(request)}{path}{'?' + query if query else ''}"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problem+json errors a route can return."""
    descriptions = {
        400: "Unknown query parameter.",
        404: "No resource with that code.",
        422: "A parameter has an invalid value.",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }


LIST_ERRORS = problem_responses(400, 422)
ITEM_ERRORS = problem_responses(400, 404, 422)
