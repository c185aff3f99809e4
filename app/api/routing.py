"""The route class of the data API: representations and conditional requests in one place.

Every GET route under /v1 is a DataRoute. Around the endpoint it:
- answers a matching `If-None-Match` with 304 before any query runs, using an ETag made of the
  build, the data version and the normalized request (base URL, path, query, format,
  language); `If-None-Match: *` and `If-Modified-Since` turn a 200 into a 304 only after the
  request has been served (and so validated);
- adds ETag, Last-Modified, Cache-Control and Vary to every 200;
- turns a list into CSV (`format=csv` or `Accept: text/csv`, `bom=true` for Excel) or, for
  observations, JSON-stat 2.0 (`format=jsonstat`); `all=true` returns every matching item;
- gives every list a CSV twin at its path + `.csv` (CsvTwinRoute, made by `add_csv_twins`):
  an operation of its own whose 200 is only CSV, for clients that pick a response's type
  by its status code alone (a generated client would read the list's CSV as JSON);
- leaves to the endpoint a representation it finishes itself (`shape=wide`, a table of
  observations that no page of items can make).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi._body_limit import wrap_app_with_body_limit
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.responses import JSONResponse
from fastapi.routing import (
    APIRoute,
    APIRouter,
    request_response,
)
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from app.api.compiled import Handler, compile_handler
from app.api.errors import problem_response
from app.api.formats import (
    CSV_MEDIA_TYPE,
    FORMAT_SCOPE_KEY,
    PAGE_SCOPE_KEY,
    CsvWriter,
    Format,
    csv_columns,
    jsonstat,
    requested_format,
)
from app.api.runtime import runtime
from app.rules.languages import negotiate
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.services.common import ending_reads
from app.store.dataset import DataVersion

MAX_PAGE = 1000
# The suffix of a list's CSV twin, as Datasette's `.csv` URLs.
CSV_SUFFIX = ".csv"


def _build_id() -> tuple[str, datetime]:
    """A fingerprint of the running code, and the newest change to it: a deploy that changes
    what a response says must change its ETag too, even when the data has not changed."""
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:12], datetime.fromtimestamp(int(newest), UTC)


BUILD_ID, BUILD_TIME = _build_id()


BomParam = Annotated[
    bool, Query(description="With CSV: start with a UTF-8 byte-order mark, for Excel.")
]
AllParam = Annotated[bool, Query(description="Every matching item, ignoring limit and offset.")]
TWIN_HELP = (
    " The same CSV is also an operation of its own, at this path + `.csv` (e.g. "
    "/v1/observations.csv): a client generated from this document reads CSV there, as it "
    "reads this operation's 200 as JSON."
)


async def list_format(
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(description="json (the default) or csv; or send Accept: text/csv." + TWIN_HELP),
    ] = None,
    bom: BomParam = False,
    all: AllParam = False,
) -> None:
    """Representation parameters of a list (read by DataRoute; declared here to validate them
    and to document them)."""


async def observation_list_format(
    format: Annotated[
        Literal["json", "csv", "jsonstat"] | None,
        Query(
            description="json (the default), csv, or jsonstat (JSON-stat 2.0: indicator × "
            "region × period, the qualifier as status); or Accept: text/csv." + TWIN_HELP
        ),
    ] = None,
    bom: BomParam = False,
    all: AllParam = False,
) -> None:
    """Representation parameters of an observation list, JSON-stat included."""


async def csv_format(bom: BomParam = False, all: AllParam = False) -> None:
    """Representation parameters of a list's CSV twin: its path fixes the format."""


_FORMAT_PARAMS = (list_format, observation_list_format, csv_format)


def _page_items(model: Any) -> list[Any]:
    """The item types of a Page[...] response model, or of each Page of a union of them (a
    list whose items take one shape or another, by request); empty for anything else."""
    if get_origin(model) in (Union, UnionType):
        return [item for option in get_args(model) for item in _page_items(option)]
    if isinstance(model, type) and issubclass(model, Page):
        return [get_args(model.model_fields["items"].annotation)[0]]
    return []


async def data_version(request: Request) -> DataVersion:
    """The data version, read at most once per DATA_VERSION_TTL seconds per process."""
    return await runtime(request).data_version()


def download_stem(request: Request) -> str:
    """The name a CSV download is saved under, less its extension: the last segment of the
    path, without the `.csv` of a list's CSV twin (`units`, never `units.csv.csv`)."""
    return request.url.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(CSV_SUFFIX) or "data"


def flag(request: Request, name: str) -> bool:
    """Whether a boolean query parameter is true."""
    # The same words FastAPI reads as true; its validation has already refused the rest.
    return request.query_params.get(name, "").lower() in {"true", "1", "yes", "on"}


class Negotiated:
    """What one request asked for, worked out once."""

    def __init__(self, request: Request, version: DataVersion, is_list: bool) -> None:
        self.format = requested_format(request) if is_list else Format.json
        self.language = (
            request.query_params.get("lang")
            or negotiate(request.headers.get("accept-language")).value
        )
        self.every = flag(request, "all")
        # A representation the endpoint finishes itself.
        self.finished = request.query_params.get("shape") == "wide"
        self.last_modified = max(version.changed_at, BUILD_TIME)
        query = sorted(
            (k, v) for k, v in request.query_params.multi_items() if k not in {"format", "lang"}
        )
        fmt = self.format.value if self.format else "?"
        normal = [BUILD_ID, str(request.base_url), request.url.path, query, fmt, self.language]
        digest = hashlib.sha256(json.dumps(normal, ensure_ascii=False).encode()).hexdigest()
        # Weak: the same representation may travel gzip-compressed or not.
        self.etag = f'W/"{version.version}-{digest[:20]}"'

    def exact_match(self, request: Request) -> bool:
        """If-None-Match names this ETag: the client holds exactly this 200."""
        opaque = self.etag.removeprefix("W/")
        header = request.headers.get("if-none-match", "")
        return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))

    def not_modified(self, request: Request) -> bool:
        """A 200 for this request may become a 304 (If-None-Match: *, or If-Modified-Since)."""
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None:
            return if_none_match.strip() == "*" or self.exact_match(request)
        header = request.headers.get("if-modified-since")
        if header is None:
            return False
        try:
            since = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:  # asctime and "-0000" dates carry no zone: they are UTC
            since = since.replace(tzinfo=UTC)
        return self.last_modified.replace(microsecond=0) <= since


def _releasing_connections(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint, handing its session's database connection back as soon as it returns.

    FastAPI's handler (FAST_READS=false, or a route without a compiled plan) validates a
    sync endpoint's answer in a second worker-thread hop, and closes the session only once
    the response is sent. Holding the connection through that hop, the
    requests waiting for a thread could hold every connection while every thread waited for
    one: a stall until the pool's timeout under load. Released here, a connection is only
    ever in use by a running thread, and DB_POOL_SIZE threads never wait for one. (The
    session stays usable: it takes a connection again if asked.)
    """
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        with ending_reads(*(value for value in kwargs.values() if isinstance(value, Session))):
            return endpoint(*args, **kwargs)

    return run


class DataRoute(APIRoute):
    """A GET route serving data: cached by data version, listed in JSON, CSV or JSON-stat."""

    # The format the path fixes (a list's CSV twin), whatever the query or Accept say.
    fixed_format: Format | None = None
    # Whether its requests take a compiled plan (app/api/compiled.py) rather than FastAPI's
    # per-request walk of its dependencies.
    compiled: bool = False

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # The declared response model; a route that returns finished bytes declares it with
        # `response_model=` and is treated the same.
        model = kwargs.get("response_model")
        if model is None or isinstance(model, DefaultPlaceholder):
            model = get_typed_return_annotation(endpoint)
        items = _page_items(model)
        self.is_list = bool(items)
        self.offers_jsonstat = ObservationRead in items
        # The columns of each shape of item, told apart by their keys.
        self.csv_shapes = {frozenset(item.model_fields): csv_columns(item) for item in items}
        self.csv_columns = csv_columns(items[0]) if items else []
        if self.is_list:
            params: Callable[..., Any] = (
                csv_format
                if self.fixed_format is Format.csv
                else observation_list_format
                if self.offers_jsonstat
                else list_format
            )
            # One set of representation parameters: a twin is built from its list's
            # arguments, the list's own parameters among them.
            kept = [
                d for d in kwargs.get("dependencies") or [] if d.dependency not in _FORMAT_PARAMS
            ]
            kwargs["dependencies"] = [*kept, Depends(params)]
            # The other representations of a list's 200, beside the JSON of its model.
            responses = dict(kwargs.get("responses") or {})
            ok = dict(responses.get(200, {}))
            ok["content"] = {**ok.get("content", {}), "text/csv": {"schema": {"type": "string"}}}
            responses[200] = ok
            kwargs["responses"] = responses
        if kwargs.get("summary") is None and endpoint.__doc__:
            # The docstring's first line is the summary; the whole is the description.
            kwargs["summary"] = endpoint.__doc__.strip().split("\n")[0].rstrip(".")
        super().__init__(path, _releasing_connections(endpoint), **kwargs)

    def get_route_handler(self) -> Handler:
        """Wrap the request handler with conditional requests and representations.

        The handler is the route's compiled plan (app/api/compiled.py) where FAST_READS is
        on and the route can have one, else FastAPI's. Each app's copy of the route
        (`add_routes`) asks for its own, with that app's dependency overrides. (The plan
        is made from the route itself: its router is never included, which would give
        FastAPI a context of its own for each inclusion.)"""
        framework: Handler = super().get_route_handler()
        planned = compile_handler(self, framework)
        self.compiled = planned is not None

        async def handler(request: Request) -> Response:
            if planned is not None and runtime(request).settings.fast_reads:
                return await planned(request)
            return await framework(request)

        async def route_handler(request: Request) -> Response:
            if self.fixed_format is not None:
                request.scope[FORMAT_SCOPE_KEY] = self.fixed_format
            version = await data_version(request)
            asked = Negotiated(request, version, self.is_list)
            if asked.format is None:  # an unknown format: let the route's validation say so
                return await handler(request)
            if asked.exact_match(request):
                # Only a 200 ever carried this ETag: the request was valid, nothing to run.
                response: Response = Response(status_code=304)
            elif (asked.format is Format.json and not asked.every) or asked.finished:
                response = await handler(request)
            else:
                response = await self._represent(handler, request, asked, version)
            if response.status_code in (200, 304):
                self._cache_headers(response, request, asked)
            if response.status_code == 200 and asked.not_modified(request):
                response = Response(status_code=304)
                self._cache_headers(response, request, asked)
            return response

        return route_handler

    def _cache_headers(self, response: Response, request: Request, asked: Negotiated) -> None:
        # In the order a 200 carries them (its endpoint, through get_language, set
        # Content-Language and Vary: Accept-Language first), so that a 304 made here lists
        # them as one replayed from the 200 does.
        response.headers.setdefault("Content-Language", asked.language)
        for header in ("Accept-Language", "Accept", "Accept-Encoding"):
            response.headers.add_vary_header(header)  # HttpTidyMiddleware drops repeats
        response.headers["ETag"] = asked.etag
        response.headers["Last-Modified"] = format_datetime(asked.last_modified, usegmt=True)
        max_age = runtime(request).settings.cache_max_age
        response.headers["Cache-Control"] = f"public, max-age={max_age}"

    async def _page(self, handler: Handler, request: Request, offset: int | None) -> Response:
        """Run the endpoint for one page; with `offset`, the page of MAX_PAGE items there."""
        if offset is None:
            return await handler(request)
        # The query stays the client's, so its limit and offset are still validated.
        scope = {**request.scope, PAGE_SCOPE_KEY: (MAX_PAGE, offset)}
        return await handler(Request(scope, request.receive))

    async def _represent(
        self, handler: Handler, request: Request, asked: Negotiated, version: DataVersion
    ) -> Response:
        before = await self._read_version(request) if asked.every else None
        first = await self._page(handler, request, 0 if asked.every else None)
        if first.status_code != 200:
            return first
        envelope = json.loads(bytes(first.body))
        items, total = envelope["items"], envelope["total"]
        carried = {k: v for k, v in first.headers.items() if k.lower() == "content-language"}
        if not asked.every and "link" in first.headers:
            carried["Link"] = first.headers["link"]
        while asked.every and len(items) < total:
            page = await self._page(handler, request, len(items))
            more = json.loads(bytes(page.body))["items"] if page.status_code == 200 else []
            if not more:
                break
            items += more
        if before is not None and await self._read_version(request) != before:
            # Pages read at different data versions would not add up; say so, don't mix them.
            return problem_response(
                503,
                "The data changed while the list was read; ask again.",
                request,
                headers={"Retry-After": "1"},
            )
        if asked.format is Format.json:  # all=true: every item in one envelope
            everything = {
                **envelope,
                "items": items,
                "limit": len(items),
                "offset": 0,
                "links": {"next": None, "prev": None},
            }
            return JSONResponse(everything, headers=carried)
        headers = {**carried, "X-Total-Count": str(total)}
        if asked.format is Format.jsonstat:
            dataset = jsonstat(
                items,
                total=total,
                label="晋中指标:观测值"
                if asked.language == "zh"
                else "Jinzhong Indicators: observations",
                updated=version.changed_at.isoformat(),
                language=asked.language,
                source="Jinzhong Indicators",
            )
            return JSONResponse(dataset, headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{download_stem(request)}.csv"'
        columns = self.csv_columns
        if items:
            columns = self.csv_shapes.get(frozenset(items[0]), columns)
        writer = CsvWriter(columns, bom=flag(request, "bom"))
        body = writer.write(items) + writer.close()
        return Response(body.encode(), media_type=CSV_MEDIA_TYPE, headers=headers)

    @staticmethod
    async def _read_version(request: Request) -> str:
        # Not the cached version: the point is to see a change made while pages were read.
        return (await run_in_threadpool(runtime(request).read_data_version)).version


class CsvTwinRoute(DataRoute):
    """A list's CSV twin: the list's endpoint at its path + `.csv`, answering only CSV.

    Its answer is the list's `format=csv` answer, byte for byte: the same endpoint, read as
    JSON and written as CSV by DataRoute. Its own URL goes into its ETag and its Link header.
    (The OpenAPI document drops the JSON that FastAPI lists for its model: app.api.docs.)
    """

    fixed_format = Format.csv


def add_csv_twins(router: APIRouter) -> None:
    """Give every list route of `router` its CSV twin (once), placed just before it: a
    route that takes a code in the same place (`/x/{code}`) must not catch `/x.csv`. Call
    it before the router's routes are added to an app."""
    routes: list[Any] = []
    twins = {route.path for route in router.routes if isinstance(route, CsvTwinRoute)}
    for route in router.routes:
        if (
            isinstance(route, DataRoute)
            and route.is_list
            and route.fixed_format is None
            and route.path + CSV_SUFFIX not in twins
        ):
            routes.append(csv_twin(route))
        routes.append(route)
    router.routes[:] = routes


def csv_twin(route: DataRoute) -> CsvTwinRoute:
    """The CSV twin of a list route: its operation, named as the list's + "Csv"."""
    return CsvTwinRoute(
        route.path + CSV_SUFFIX,
        route.endpoint,
        response_model=route.response_model,
        status_code=route.status_code,
        tags=route.tags,
        dependencies=route.dependencies,
        summary=f"{route.summary}, as CSV" if route.summary else None,
        description=route.description,
        response_description=route.response_description,
        responses=route.responses,
        deprecated=route.deprecated,
        methods=route.methods,
        operation_id=f"{route.operation_id}Csv" if route.operation_id else None,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        include_in_schema=route.include_in_schema,
        response_class=route.response_class,
        name=f"{route.name}_csv",
        dependency_overrides_provider=route.dependency_overrides_provider,
        callbacks=route.callbacks,
        openapi_extra=route.openapi_extra,
        generate_unique_id_function=route.generate_unique_id_function,
    )


def add_routes(app: FastAPI, routes: Iterable[BaseRoute]) -> None:
    """Serve `routes`, made whole at import (their full path, every dependency), from `app`.

    Instead of `app.include_router`: FastAPI makes an included route again for each
    inclusion (its parameters, dependencies and response models analysed a second time,
    ~0.2 s for the API's routes, paid by a restart's first request and by every app a test
    makes). A route is shared by every app of the process, so each app gets its own shallow
    copy, whose handler reads that app's dependency overrides (FastAPI's
    `app.dependency_overrides`); the analysis is shared, and no request changes it.

    What an include would add from the app's own router (a prefix, tags, dependencies,
    responses, a body limit) is not applied, so an app that sets any is refused rather than
    served without it. The handler is made as FastAPI's APIRoute makes its own (the last
    step of its __init__); tests/api/test_routes_built_once.py holds the result."""
    router = app.router
    if router.prefix or router.tags or router.dependencies or router.responses:
        raise ValueError("add_routes does not apply the app router's own settings")
    if router.max_body_size is not None:
        raise ValueError("add_routes does not apply the app router's body limit")
    for route in routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only FastAPI's routes are added, not {route!r}")
        added = copy.copy(route)
        added.dependency_overrides_provider = app
        added.app = wrap_app_with_body_limit(
            request_response(added.get_route_handler()), added.max_body_size
        )
        router.routes.append(added)
