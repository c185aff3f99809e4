"""The route class of the data API: representations and conditional requests in one place.

Every GET route under /v1 is a DataRoute. Around the endpoint it:
- answers `If-None-Match` / `If-Modified-Since` with 304 before any query runs, using an ETag
  made of the data version and the normalized request (path, query, format, language);
- adds ETag, Last-Modified, Cache-Control and Vary to every 200;
- turns a list into CSV (`format=csv` or `Accept: text/csv`, `bom=true` for Excel) or, for
  observations, JSON-stat 2.0 (`format=jsonstat`); `all=true` returns every page, CSV
  streamed page by page.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.formats import CSV_MEDIA_TYPE, CsvWriter, Format, jsonstat, negotiate_format
from app.rules.languages import negotiate
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.services.dataset import DataVersion, read_data_version

MAX_PAGE = 1000
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def list_format(
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(description="json (the default) or csv; or send Accept: text/csv."),
    ] = None,
    bom: Annotated[
        bool, Query(description="With CSV: start with a UTF-8 byte-order mark, for Excel.")
    ] = False,
    all: Annotated[
        bool, Query(description="Every matching item, ignoring limit and offset (CSV streams).")
    ] = False,
) -> None:
    """Representation parameters of a list (read by DataRoute; declared here to validate them
    and to document them)."""


def observation_list_format(
    format: Annotated[
        Literal["json", "csv", "jsonstat"] | None,
        Query(
            description="json (the default), csv, or jsonstat (JSON-stat 2.0: indicator × "
            "region × period, the qualifier as status); or Accept: text/csv."
        ),
    ] = None,
    bom: Annotated[
        bool, Query(description="With CSV: start with a UTF-8 byte-order mark, for Excel.")
    ] = False,
    all: Annotated[
        bool, Query(description="Every matching item, ignoring limit and offset (CSV streams).")
    ] = False,
) -> None:
    """Representation parameters of an observation list, JSON-stat included."""


def _page_item(model: Any) -> Any:
    """The item type of a Page[...] response model, or None for anything else."""
    if isinstance(model, type) and issubclass(model, Page):
        (items,) = (f.annotation for n, f in model.model_fields.items() if n == "items")
        return get_args(items)[0]
    return None


async def data_version(request: Request) -> DataVersion:
    """The data version, read at most once per DATA_VERSION_TTL seconds per process."""
    state = request.app.state
    cached: tuple[float, DataVersion] | None = getattr(state, "data_version", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < state.settings.data_version_ttl:
        return cached[1]

    def read() -> DataVersion:
        with Session(state.engine) as session:
            return read_data_version(session)

    version = await run_in_threadpool(read)
    state.data_version = (now, version)
    return version


def _etag(version: DataVersion, request: Request, fmt: Format, language: str) -> str:
    query = sorted(
        (k, v) for k, v in request.query_params.multi_items() if k not in {"format", "lang"}
    )
    normal = json.dumps([request.url.path, query, fmt.value, language], ensure_ascii=False)
    digest = hashlib.sha256(normal.encode()).hexdigest()[:20]
    # Weak: the same representation may travel gzip-compressed or not.
    return f'W/"{version.version}-{digest}"'


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def _not_modified_since(request: Request, version: DataVersion) -> bool:
    header = request.headers.get("if-modified-since")
    if header is None or "if-none-match" in request.headers:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return since is not None and version.changed_at.replace(microsecond=0) <= since


class DataRoute(APIRoute):
    """A GET route serving data: cached by data version, listed in JSON, CSV or JSON-stat."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        item = _page_item(get_typed_return_annotation(endpoint))
        self.is_list = item is not None
        self.offers_jsonstat = item is ObservationRead
        if self.is_list:
            params = observation_list_format if self.offers_jsonstat else list_format
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), Depends(params)]
            # The other representations of a list's 200, beside the JSON of its model.
            responses = dict(kwargs.get("responses") or {})
            ok = dict(responses.get(200, {}))
            ok["content"] = {**ok.get("content", {}), "text/csv": {"schema": {"type": "string"}}}
            responses[200] = ok
            kwargs["responses"] = responses
        if kwargs.get("summary") is None and endpoint.__doc__:
            # The docstring's first line is the summary; the whole is the description.
            kwargs["summary"] = endpoint.__doc__.strip().split("\n")[0].rstrip(".")
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Handler:
        """Wrap FastAPI's handler with conditional requests and representations."""
        handler: Handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            version = await data_version(request)
            fmt = (
                negotiate_format(request.query_params.get("format"), request.headers.get("accept"))
                if self.is_list
                else Format.json
            )
            language = (
                request.query_params.get("lang")
                or negotiate(request.headers.get("accept-language")).value
            )
            if fmt is None:  # an unknown format: let the route's validation say so
                return await handler(request)
            etag = _etag(version, request, fmt, language)
            if _matches(request.headers.get("if-none-match", ""), etag) or _not_modified_since(
                request, version
            ):
                response: Response = Response(status_code=304)
            elif fmt is Format.json and not self._wants_all(request):
                response = await handler(request)
            else:
                response = await self._represent(handler, request, fmt, version, language)
            if response.status_code in (200, 304):
                self._cache_headers(response, request, etag, version)
            return response

        return route_handler

    @staticmethod
    def _wants_all(request: Request) -> bool:
        return _flag(request, "all")

    def _cache_headers(
        self, response: Response, request: Request, etag: str, version: DataVersion
    ) -> None:
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = format_datetime(version.changed_at, usegmt=True)
        max_age = request.app.state.settings.cache_max_age
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
        for header in ("Accept", "Accept-Language", "Accept-Encoding"):
            response.headers.add_vary_header(header)  # HttpTidyMiddleware drops repeats
        if response.status_code == 304:
            response.headers["Content-Language"] = (
                request.query_params.get("lang")
                or negotiate(request.headers.get("accept-language")).value
            )

    async def _page(self, handler: Handler, request: Request, offset: int | None) -> Response:
        """Run the endpoint for one page; with `offset`, the page of MAX_PAGE items there."""
        if offset is None:
            return await handler(request)
        query = [
            (k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}
        ]
        query += [("limit", str(MAX_PAGE)), ("offset", str(offset))]
        scope = dict(request.scope)
        scope["query_string"] = urlencode(query).encode()
        return await handler(Request(scope, request.receive))

    async def _represent(
        self, handler: Handler, request: Request, fmt: Format, version: DataVersion, language: str
    ) -> Response:
        every = self._wants_all(request)
        first = await self._page(handler, request, 0 if every else None)
        if first.status_code != 200:
            return first
        envelope = json.loads(bytes(first.body))
        total = envelope["total"]
        carried = {
            k: v for k, v in first.headers.items() if k.lower() in {"link", "content-language"}
        }
        if every:
            carried.pop("link", None)
        if fmt is not Format.csv:
            items = envelope["items"]
            while every and len(items) < total:
                more = json.loads(bytes((await self._page(handler, request, len(items))).body))
                if not more["items"]:
                    break
                items += more["items"]
        if fmt is Format.json:  # all=true: every item in one envelope
            everything = {
                **envelope,
                "items": items,
                "limit": len(items),
                "offset": 0,
                "links": {"next": None, "prev": None},
            }
            return JSONResponse(everything, headers=carried)
        if fmt is Format.jsonstat:
            dataset = jsonstat(
                items,
                total=total,
                label="晋中指标:观测值"
                if language == "zh"
                else "Jinzhong Indicators: observations",
                updated=version.changed_at.isoformat(),
                language=language,
                source="Jinzhong Indicators",
            )
            return JSONResponse(dataset, headers={**carried, "X-Total-Count": str(total)})
        writer = CsvWriter(
            bom=request.query_params.get("bom", "").lower() in {"true", "1", "yes", "on"}
        )
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1] or "data"
        headers = {
            **carried,
            "X-Total-Count": str(total),
            "Content-Disposition": f'attachment; filename="{name}.csv"',
        }
        if not every:
            body = writer.write(envelope["items"]) + writer.close()
            return Response(body.encode(), media_type=CSV_MEDIA_TYPE, headers=headers)

        async def stream() -> AsyncIterator[bytes]:
            yield writer.write(envelope["items"]).encode()
            offset = len(envelope["items"])
            while offset < total:
                page = json.loads(bytes((await self._page(handler, request, offset)).body))
                if not page["items"]:
                    break
                yield writer.write(page["items"]).encode()
                offset += len(page["items"])
            yield writer.close().encode()

        return StreamingResponse(stream(), media_type=CSV_MEDIA_TYPE, headers=headers)


def _flag(request: Request, name: str) -> bool:
    # The same words FastAPI reads as true; its validation has already refused the rest.
    return request.query_params.get(name, "").lower() in {"true", "1", "yes", "on"}
