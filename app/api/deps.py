"""Shared dependencies: the session, pagination, the list envelope, strict query strings."""

# The dependencies here only read the request: they are `async def` so that FastAPI runs
# them in the event loop instead of handing each to a worker thread (several thread hops per
# request would queue behind the endpoints that hold the threads under load).

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from sqlmodel import Session
from starlette.datastructures import URL

from app.api.errors import PROBLEM_JSON
from app.api.formats import PAGE_SCOPE_KEY, Format, requested_format
from app.api.runtime import runtime
from app.errors import InvalidParameterError, UnknownParameterError
from app.rules.codes import REGION_CODE, SLUG, VOCABULARY_CODE
from app.rules.languages import Language, negotiate
from app.rules.moments import in_utc, iso_moment, moment
from app.rules.periods import PERIOD_PATTERN, POINT_PATTERN
from app.rules.qualifiers import Qualifier
from app.rules.series import Transform
from app.schemas.common import FieldError, Page, PageLinks
from app.services.observations import DEFAULT_SORT, SORT_KEYS, ObservationFilter
from app.services.series import base_period

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# Far beyond any dataset, and inside the 64-bit integers databases accept.
MAX_OFFSET = 10**12
PageT = TypeVar("PageT", bound=Page[Any])


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, from the engine the app was built with.

    Async on purpose, though the session is sync: opening a session does no I/O, and closing
    it only hands its connection back to the pool. Run in the event loop, neither waits for
    a worker thread; as a sync dependency, the close would queue behind the very endpoints
    that wait for the connection it holds, and under a burst every worker could end up
    waiting (a deadlock that a load test at 64 connections showed).
    """
    with Session(runtime(request).engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Pagination:
    """Which slice of a list to return."""

    limit: int
    offset: int


def pagination(default: int = DEFAULT_LIMIT) -> Callable[..., Awaitable[Pagination]]:
    """A dependency reading limit (`default` when absent) and offset."""

    async def get_pagination(
        request: Request,
        limit: Annotated[
            int,
            Query(ge=0, le=MAX_LIMIT, description="Items per page (0 returns only the total)."),
        ] = default,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
    ) -> Pagination:
        """Read limit and offset; out-of-range values are 422s naming the parameter, with
        all=true too (which then reads the list a page at a time, whatever they say)."""
        page = request.scope.get(PAGE_SCOPE_KEY)
        if page is not None:
            return Pagination(*page)
        return Pagination(limit, offset)

    return get_pagination


get_pagination = pagination()


PaginationDep = Annotated[Pagination, Depends(get_pagination)]


async def get_language(
    request: Request,
    response: Response,
    lang: Annotated[
        Language | None,
        Query(
            description="Language of `name`, `title`, `description`...: zh or en. "
            "Overrides Accept-Language; the default is zh."
        ),
    ] = None,
) -> Language:
    """The language the client asked for; says so in Content-Language and Vary."""
    language = lang or negotiate(request.headers.get("accept-language"))
    response.headers["Content-Language"] = language.value
    response.headers.add_vary_header("Accept-Language")
    return language


LanguageDep = Annotated[Language, Depends(get_language)]


def _page_links(
    total: int, pagination: Pagination, request: Request, response: Response
) -> PageLinks:
    """The next and previous pages' URLs; also put in an RFC 8288 Link header."""
    limit, offset = pagination.limit, pagination.offset
    next_url = prev_url = None
    if limit and offset + limit < total:
        next_url = str(request_url(request).include_query_params(offset=offset + limit))
    if limit and offset > 0 and total > 0:
        # From beyond the end, "prev" leads back to the last page that has items.
        prev_offset = max(0, min(offset, total) - limit)
        prev_url = str(request_url(request).include_query_params(offset=prev_offset))
    links = [
        f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", prev_url)) if url
    ]
    if links:
        response.headers["Link"] = ", ".join(links)
    return PageLinks(next=next_url, prev=prev_url)


def page_of(
    page_type: type[PageT],
    items: Sequence[Any],
    total: int,
    pagination: Pagination,
    request: Request,
    response: Response,
) -> PageT:
    """Wrap items in the list envelope and put the same links in an RFC 8288 Link header."""
    return page_type(
        items=list(items),
        total=total,
        limit=pagination.limit,
        offset=pagination.offset,
        links=_page_links(total, pagination, request, response),
    )


def page_response(
    items: list[dict[str, Any]],
    total: int,
    pagination: Pagination,
    request: Request,
    response: Response,
) -> Response:
    """The list envelope of items that are already JSON objects, as a finished response.

    For the hottest lists: the items were built to their response model's shape (a contract
    test holds them to it), so validating them again would only cost time.
    """
    links = _page_links(total, pagination, request, response)
    envelope = {
        "items": items,
        "total": total,
        "limit": pagination.limit,
        "offset": pagination.offset,
        "links": {"next": links.next, "prev": links.prev},
    }
    return json_response(envelope, response)


def json_response(
    payload: Any, response: Response, media_type: str = "application/json"
) -> Response:
    """`payload` serialized by orjson, with the headers dependencies set on `response`."""
    return with_headers_of(response, Response(orjson.dumps(payload), media_type=media_type))


def with_headers_of(response: Response, finished: Response) -> Response:
    """`finished`, carrying the headers that dependencies set on `response` (FastAPI sends
    them only with what it serializes itself, never with a Response an endpoint returns)."""
    for name, value in response.headers.items():
        if name not in ("content-length", "content-type"):
            finished.headers.append(name, value)
    return finished


def _query_params(dependant: Dependant) -> dict[str, bool]:
    """Each query parameter a route takes, and whether it may be repeated (a list)."""
    params = {p.alias: _is_list(p.field_info.annotation) for p in dependant.query_params}
    for sub in dependant.dependencies:
        params |= _query_params(sub)
    return params


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (list, tuple, set, frozenset):
        return True
    return any(_is_list(arg) for arg in get_args(annotation) if get_origin(annotation) is not None)


# Keyed by path and methods, which fix a route's parameters across app instances.
_ROUTE_PARAMS: dict[tuple[str, frozenset[str]], dict[str, bool]] = {}


async def check_query_params(request: Request) -> None:
    """Answer 400 for a parameter the endpoint does not take, 422 for one repeated that takes
    one value: both are usually mistakes, and silently ignoring them would return wrong data."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    key = (route.path_format, frozenset(route.methods or ()))
    params = _ROUTE_PARAMS.get(key)
    if params is None:
        params = _ROUTE_PARAMS[key] = _query_params(route.dependant)
    unknown = sorted(set(request.query_params.keys()) - set(params))
    if unknown:
        accepted = ", ".join(sorted(params)) or "none"
        raise UnknownParameterError(
            f"Unknown query parameter(s): {', '.join(unknown)}. This endpoint accepts: {accepted}.",
            errors=[
                FieldError(location="query", name=name, message="unknown parameter")
                for name in unknown
            ],
        )
    for name, many in params.items():
        given = len(request.query_params.getlist(name))
        if given > 1 and not many:
            raise InvalidParameterError(name, f"given {given} times; it takes one value")
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            # No code, date or word holds one, and databases refuse it in text (PostgreSQL
            # raises an error): say so here, for every backend alike.
            raise InvalidParameterError(name, "control characters cannot appear in a value")


# Where every route of version 1 lives, and what each of them (and /healthz, /readyz) checks
# first. Each resource's router is made with both (`APIRouter(prefix=f"{V1_PREFIX}/units",
# dependencies=QUERY_CHECKS, ...)`), so its routes are whole when imported
# (app.api.routing.add_routes says why).
V1_PREFIX = "/v1"
QUERY_CHECKS = (Depends(check_query_params),)


def base_url(request: Request) -> str:
    """The server's base URL without a trailing slash, for building resource links:
    PUBLIC_BASE_URL when set, else the one the request was sent to (its Host having passed
    ALLOWED_HOSTS)."""
    return runtime(request).settings.public_base_url or str(request.base_url).rstrip("/")


def request_url(request: Request) -> URL:
    """The URL of this request as clients should see it: under PUBLIC_BASE_URL when set."""
    if not runtime(request).settings.public_base_url:
        return request.url
    return URL(f"{base_url(request)}{request.url.path}").replace(query=request.url.query)


def url(request: Request, path: str, **params: Any) -> str:
    """An absolute URL for `path` on this server."""
    query = urlencode(params)
    return f"{base_url(request)}{path}{'?' + query if query else ''}"


# The problem+json schema by reference rather than as `"model": Problem`: for a model,
# FastAPI builds a serializer per route and status (hundreds, ~40 ms of every start) only
# to write this same reference into the document, which stays the same to the byte. The
# 503 of /readyz declares the model itself, which puts Problem and FieldError among the
# document's schemas.
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problem+json errors a route can return."""
    descriptions = {
        400: "Unknown query parameter.",
        401: "No API key, or an invalid or revoked one (see WWW-Authenticate).",
        403: "The API key lacks the scope this needs.",
        404: "No resource with that code.",
        409: "A record with that code exists already.",
        412: "If-Match names an older version of the record.",
        413: "The request body is larger than WRITE_MAX_BYTES.",
        415: "The request body is not JSON.",
        422: "A parameter or a field of the body has an invalid value.",
        428: "A write to an existing record needs If-Match.",
        429: "Too many failed authentications from this client (see Retry-After).",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


LIST_ERRORS = problem_responses(400, 422)
ITEM_ERRORS = problem_responses(400, 404, 422)


PERIOD_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"

# What a code or period in a query takes, from the rules that shape them (app.rules): a value
# of another shape names nothing, and the OpenAPI document says so with the same pattern.
VocabularyCodeText = Annotated[str, StringConstraints(pattern=VOCABULARY_CODE)]
SlugText = Annotated[str, StringConstraints(pattern=SLUG)]
RegionCodeText = Annotated[str, StringConstraints(pattern=REGION_CODE)]
PeriodPointText = Annotated[str, StringConstraints(pattern=POINT_PATTERN)]
PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
# Sort keys as the document can state them: known keys, each perhaps descending, by commas.
_SORT_KEY = f"-?(?:{'|'.join(SORT_KEYS)})"
SortText = Annotated[str, StringConstraints(pattern=f"^{_SORT_KEY}(?:,{_SORT_KEY})*$")]
# latest=N: far beyond any series' length; a larger N is surely a mistake.
MAX_LATEST = 1_000_000
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")  # ASCII digits only

WithinQuery = Annotated[
    RegionCodeText | None,
    Query(
        description="A region code: figures about that region or any region under it (its "
        "children, theirs...), as Data Commons' containedInPlace; e.g. 140000 for Shanxi and "
        "its cities and counties."
    ),
]


AsOfQuery = Annotated[
    datetime | None,
    BeforeValidator(iso_moment),
    AfterValidator(lambda at: None if at is None else in_utc(at)),
    Query(
        description="Answer as the data stood at this time (ISO 8601; UTC if no zone): each "
        "figure as it was known then, from seeds and API writes alike, and none before its "
        "source was published."
    ),
]


def as_of_moment(at: datetime | None) -> str | None:
    """An `as_of` time (already in UTC: AsOfQuery reads one without a zone as UTC) in its
    stored form; None for now."""
    return None if at is None else moment(at)


def parse_latest(value: str | None) -> int:
    """latest=N (the World Bank's mrv): the N most recent figures of each series; `true` is
    1 and `false` (or nothing) 0, all of them. A 422 naming `latest` for anything else."""
    if value is None:
        return 0
    word = value.strip().lower()
    if word in {"true", "yes", "on"}:
        return 1
    if word in {"false", "no", "off"}:
        return 0
    if not _WHOLE_NUMBER.match(word) or not 1 <= int(word) <= MAX_LATEST:
        raise InvalidParameterError(
            "latest",
            f"{value!r} is not a number of periods: give a whole number from 1 to "
            f"{MAX_LATEST}, or true (= 1) or false",
        )
    return int(word)


async def series_filter(
    region: Annotated[
        list[RegionCodeText] | None,
        Query(
            description="Region code(s); repeat for several. Matches any region a figure concerns."
        ),
    ] = None,
    within: WithinQuery = None,
    entity: Annotated[
        list[SlugText] | None,
        Query(description="Entity code(s); repeat for several. Figures that concern any of them."),
    ] = None,
    source: Annotated[
        list[SlugText] | None,
        Query(description="Source code(s); repeat for several. Figures one of them gives."),
    ] = None,
    witnesses: Annotated[
        bool,
        Query(
            description="Every source's figure for a point; by default only the one the series "
            "shows (the most reliable source's)."
        ),
    ] = False,
    topic: Annotated[VocabularyCodeText | None, Query(description="Topic code.")] = None,
    start: Annotated[
        PeriodPointText | None,
        Query(description=f"Only periods starting on or after this ({PERIOD_HELP})."),
    ] = None,
    end: Annotated[
        PeriodPointText | None,
        Query(description=f"Only periods ending on or before this ({PERIOD_HELP})."),
    ] = None,
    qualifier: Annotated[Qualifier | None, Query(description="Only this qualifier.")] = None,
    latest: Annotated[
        str | None,
        Query(
            description="The N most recent figures of each indicator and region, after the "
            "other filters (the World Bank's mrv): a whole number from 1; `true` is 1, `false` "
            "(the default) every figure.",
            examples=["true", "3"],
        ),
    ] = None,
    sort: Annotated[
        SortText | None,
        Query(
            description=f"Comma-separated keys among {', '.join(SORT_KEYS)}; prefix - for "
            f"descending. Default: {','.join(DEFAULT_SORT)}."
        ),
    ] = None,
    as_of: AsOfQuery = None,
) -> ObservationFilter:
    """The filters shared by every observation list, as of a moment if asked."""
    return ObservationFilter(
        regions=region or [],
        within=within,
        entities=entity or [],
        sources=source or [],
        witnesses=witnesses,
        topic=topic,
        start=start,
        end=end,
        qualifier=qualifier,
        latest=parse_latest(latest),
        sort=sort,
        as_of=as_of_moment(as_of),
    )


async def observation_filter(
    base: Annotated[ObservationFilter, Depends(series_filter)],
    indicator: Annotated[
        list[VocabularyCodeText] | None,
        Query(description="Indicator code(s); repeat for several."),
    ] = None,
) -> ObservationFilter:
    """All observation filters, including the indicator."""
    return replace(base, indicators=indicator or [])


@dataclass(frozen=True)
class SeriesView:
    """How an observation list is shown: the figures, or a transform of them; long (a row
    per figure) or wide (a row per series, a column per period: CSV only)."""

    transform: Transform | None
    base: str | None
    wide: bool


async def series_view(
    request: Request,
    transform: Annotated[
        Transform | None,
        Query(
            description="Instead of each figure, a value computed within its series (indicator "
            "and main region) from the figures series show, like FRED's units: change "
            "(current - previous), pct_change ((current / previous - 1) × 100) or index "
            "(current / base × 100, with `base`). `previous` is the figure for the period of "
            "the same kind just before; where it is missing, zero, a bound, a range or a rank, "
            "the value is null with a reason. Not with format=jsonstat, witnesses or source."
        ),
    ] = None,
    base: Annotated[
        PeriodText | None,
        Query(
            description="With transform=index (and only then): the base period, = 100 "
            "(e.g. 2021). A series without a figure then has nulls; a 422 if none has one."
        ),
    ] = None,
    shape: Annotated[
        Literal["long", "wide"] | None,
        Query(
            description="With CSV: long (the default; a row per figure) or wide (a row per "
            "indicator and region, a column per period in time order, as the World Bank and "
            "Our World in Data publish; an empty cell where there is no figure, never 0). The "
            "wide table holds every matching figure the series show: limit, offset and sort "
            "do not apply."
        ),
    ] = None,
) -> SeriesView:
    """Read transform, base and shape; refuse what the representation cannot carry."""
    asked = requested_format(request)
    base_period(transform, base)
    wide = shape == "wide"
    if wide and asked is not None and asked is not Format.csv:
        raise InvalidParameterError(
            "shape", "shape=wide is a CSV table: add format=csv (or send Accept: text/csv)"
        )
    if wide:
        for name in ("limit", "offset", "sort"):
            if name in request.query_params:
                raise InvalidParameterError(
                    name, "the wide table holds every matching figure, in series order"
                )
    if transform is not None and asked is Format.jsonstat:
        raise InvalidParameterError(
            "transform", "JSON-stat carries the published figures; ask format=json or csv"
        )
    return SeriesView(transform, base, wide)
