"""Curation: writes with an API key, each record's editable form and its history.

For every writable resource R (sources, indicators, observations, events, entities, quotes):
`POST /v1/R` creates a record from its seed_data/ form; `PATCH /v1/R/{code}` applies a JSON
merge patch and `DELETE /v1/R/{code}` retires it, both with If-Match; `GET /v1/R/{code}/record`
gives the editable form and its ETag; `GET /v1/R/{code}/history` every change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.admission import WriteGate
from app.api.auth import require
from app.api.deps import (
    PROBLEM_SCHEMA,
    QUERY_CHECKS,
    V1_PREFIX,
    Pagination,
    get_language,
    page_response,
    pagination,
    problem_responses,
    with_headers_of,
)
from app.api.errors import PROBLEM_JSON
from app.api.runtime import runtime, write_gate
from app.errors import InvalidBodyError, PayloadTooLargeError, UnsupportedMediaTypeError
from app.models import ApiKey
from app.rules.resources import one, singular
from app.schemas.common import FieldError
from app.services.common import read_session
from app.services.curation import (
    RESOURCES,
    VersionEntry,
    Written,
    editable_record,
    history,
    stored_record,
    write,
)
from app.services.keys import Scope, list_keys

router = APIRouter(
    prefix=V1_PREFIX,
    tags=["curation"],
    dependencies=QUERY_CHECKS,
)

WriteKey = Annotated[ApiKey, require(Scope.write)]
AdminKey = Annotated[ApiKey, require(Scope.admin)]
Reason = Annotated[
    str | None, Query(max_length=1000, description="Why: kept in the record's history.")
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The record's ETag, from its last read or write."),
]
Code = Annotated[str, Path(description="The record's code.")]
# A version carries its whole record: a page of history is ten of them unless asked for more.
HistoryPagination = Annotated[Pagination, Depends(pagination(default=10))]
JSON_TYPES = {"application/json", "application/merge-patch+json"}
# The deepest a write's body may nest. A record is an object of fields, a few of them lists
# of objects (sources' errata, entities' links): four levels. The rest is headroom.
MAX_BODY_DEPTH = 32
# A string, or one that never closes and so runs to the end: every match succeeds at its
# first quote, so the body is read once (a closing quote required would retry at every quote).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_OPENING = frozenset(b"[{")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "The record in seed_data/ form."}
            }
        },
    }
}
WRITE_ERRORS = {
    **problem_responses(400, 401, 403, 413, 415, 422, 429),
    503: {
        "description": "Nothing was written: the write queue is full (WRITE_QUEUE), or the "
        "database is unavailable. Send it again after Retry-After.",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before sending the write again.",
                "schema": {"type": "integer"},
            }
        },
    },
}


async def read_json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object: 415 if not JSON, 413 if too large, 422 if malformed."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise UnsupportedMediaTypeError(
            f"Send the record as JSON (Content-Type: application/json), not {media or 'nothing'}."
        )
    limit = runtime(request).settings.write_max_bytes
    too_large = PayloadTooLargeError(f"The body is larger than {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    if nesting_depth(body) > MAX_BODY_DEPTH:
        # Refused before parsing: the parser, the checks below, the rules and the YAML
        # writer all walk the record recursively, and a few hundred levels exhaust them.
        raise InvalidBodyError(
            f"The body is nested more than {MAX_BODY_DEPTH} levels deep; no record needs that.",
            errors=[FieldError(location="body", name="body", message="nested too deeply")],
        )
    try:
        data = json.loads(body)
        _check_text(data, "")
    except RecursionError:  # a backstop: the count above refuses such bodies first
        raise InvalidBodyError(
            "The body is nested too deeply.",
            errors=[FieldError(location="body", name="body", message="nested too deeply")],
        ) from None
    except ValueError as exc:
        raise InvalidBodyError(
            f"The body is not valid JSON: {exc}",
            errors=[FieldError(location="body", name="body", message="not valid JSON")],
        ) from None
    if not isinstance(data, dict):
        raise InvalidBodyError(
            "The body must be a JSON object.",
            errors=[FieldError(location="body", name="body", message="not an object")],
        )
    return data


def nesting_depth(body: bytes | bytearray) -> int:
    """How deeply a JSON text's arrays and objects nest, counted without recursion, and only
    up to one level past MAX_BODY_DEPTH (enough to refuse it)."""
    # Brackets inside strings do not nest: strings go first, then everything but brackets.
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in _OPENING else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_BODY_DEPTH:
                break
    return deepest


def _check_text(value: Any, path: str) -> None:
    """Text is stored as given, markup and control characters included, except what no
    database can hold: NUL, and unpaired surrogates (JSON can spell them, UTF-8 cannot)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{path}[{index}]")
    elif isinstance(value, str):
        problem = None
        if "\x00" in value:
            problem = "contains a NUL character"
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problem = "contains an unpaired surrogate"
        if problem:
            raise InvalidBodyError(
                f"Field {path or 'body'!r} {problem}, which cannot be stored.",
                errors=[FieldError(location="body", name=path or "body", message=problem)],
            )


def _record_response(
    record: dict[str, Any], etag: str, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        record,
        status_code=status,
        headers={"ETag": etag, "Cache-Control": "no-cache", **(headers or {})},
    )


def _saved(done: Written) -> tuple[dict[str, Any], str]:
    """The record a create or an update stored, and its ETag."""
    if done.record is None or done.etag is None:
        raise RuntimeError("a create or update stored no record")
    return done.record, done.etag


def _version(entry: VersionEntry) -> dict[str, Any]:
    """A history item: the version, who made it and when, what it changed and the record."""
    after, earlier = entry.record or {}, entry.previous or {}
    # Only the fields that changed, as they were: the whole record is in the version before.
    changed = sorted(name for name in {*after, *earlier} if after.get(name) != earlier.get(name))
    return {
        "version": entry.version,
        "at": entry.known_from,
        "known_until": entry.known_until,
        "origin": entry.origin,
        "key": entry.key_name,
        "action": entry.action,
        "reason": entry.reason,
        "changed": changed,
        "before": None if entry.previous is None else {name: earlier.get(name) for name in changed},
        "after": entry.record,
    }


def _routes(resource: str) -> None:
    name = singular(resource).capitalize()  # in operationIds: createEntity, getEntityRecord
    item = f"/{resource}/{{code}}"

    async def create(request: Request, key: WriteKey, reason: Reason = None) -> Response:
        body = await read_json_body(request)
        done = await _write(request, key, resource, "create", None, body, None, reason)
        location = f"/v1/{resource}/{_saved(done)[0]['code']}/record"
        return _record_response(*_saved(done), 201, {"Location": location})

    async def update(
        request: Request, key: WriteKey, code: Code, if_match: IfMatch = None, reason: Reason = None
    ) -> Response:
        body = await read_json_body(request)
        done = await _write(request, key, resource, "update", code, body, if_match, reason)
        return _record_response(*_saved(done))

    async def retire(
        request: Request,
        key: WriteKey,
        code: Code,
        reason: Annotated[str, Query(min_length=1, max_length=1000, description="Why.")],
        if_match: IfMatch = None,
    ) -> Response:
        await _write(request, key, resource, "retire", code, None, if_match, reason)
        return Response(status_code=204)

    def record(request: Request, response: Response, code: Code) -> Response:
        with read_session(runtime(request).engine) as session:
            text, etag = stored_record(session, resource, code)
        return with_headers_of(
            response,
            Response(
                text,
                media_type="application/json",
                headers={"ETag": etag, "Cache-Control": "no-cache"},
            ),
        )

    def changes(
        request: Request, response: Response, code: Code, pagination: HistoryPagination
    ) -> Response:
        with read_session(runtime(request).engine) as session:
            page, total = history(
                session, resource, code, limit=pagination.limit, offset=pagination.offset
            )
            if not total:
                editable_record(session, resource, code)  # 404 if there is no such record
        # A retired record's history stays readable: its last version says so.
        items = [_version(entry) for entry in page]
        return page_response(items, total, pagination, request, response)

    create.__doc__ = f"Create {one(resource)} from its seed_data/ form (API key, scope write)."
    update.__doc__ = f"Change {one(resource)}: a JSON merge patch, with If-Match."
    retire.__doc__ = f"Retire {one(resource)}, with If-Match and a reason; history keeps it."
    record.__doc__ = f"{one(resource).capitalize()} in its editable seed_data/ form, with its ETag."
    changes.__doc__ = (
        f"Every version of {one(resource)}, from seeds and API writes, newest first: when it "
        "became known, who made it, the fields it changed (as they were) and the record after."
    )
    endpoints: list[tuple[str, Callable[..., Any], str, str, dict[int | str, Any], int]] = [
        (f"/{resource}", create, "POST", f"create{name}", problem_responses(409), 201),
        (item, update, "PATCH", f"update{name}", problem_responses(404, 412, 428), 200),
        (item, retire, "DELETE", f"retire{name}", problem_responses(404, 412, 428), 204),
    ]
    for path, endpoint, method, operation, errors, status in endpoints:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            operation_id=operation,
            status_code=status,
            responses={**WRITE_ERRORS, **errors},
            summary=str(endpoint.__doc__).split(" (")[0].split(":")[0].rstrip("."),
            description=endpoint.__doc__,
            openapi_extra=BODY if method != "DELETE" else None,
            response_class=Response,
        )
    # Both forms hold every language at once: `lang` is taken, as on every JSON read, and
    # only says so in Content-Language.
    read_language = [Depends(get_language)]
    router.add_api_route(
        f"{item}/record",
        record,
        methods=["GET"],
        dependencies=read_language,
        operation_id=f"get{name}Record",
        responses=problem_responses(400, 404),
        summary=f"Editable {singular(resource)}",
        description=record.__doc__,
        response_class=Response,
    )
    router.add_api_route(
        f"{item}/history",
        changes,
        methods=["GET"],
        dependencies=read_language,
        operation_id=f"list{name}History",
        responses=problem_responses(400, 404),
        summary=f"{name} history",
        description=changes.__doc__,
    )


async def _write(
    request: Request,
    key: ApiKey,
    resource: str,
    action: str,
    code: str | None,
    body: dict[str, Any] | None,
    if_match: str | None,
    reason: str | None,
) -> Written:
    # Its turn comes in the event loop: a write waiting for the seed lock holds no worker
    # thread that reads need; a full queue is a 503 at once.
    gate: WriteGate = write_gate(request)
    held = runtime(request)
    done = await gate.run(
        lambda: write(
            held.engine,
            resource,
            action=action,
            code=code,
            body=body,
            if_match=if_match,
            key_name=key.name,
            reason=reason,
        )
    )
    held.data_changed()  # this process sees its own write at once
    return done


for _resource in RESOURCES:
    _routes(_resource)


@router.get(
    "/keys",
    operation_id="listKeys",
    responses=problem_responses(400, 401, 403, 429),
    dependencies=[Depends(get_language)],
)
def get_keys(request: Request, key: AdminKey) -> dict[str, Any]:
    """The API keys (names, scopes, dates; never a secret), for a key with the admin scope."""
    with read_session(runtime(request).engine) as session:
        keys = [
            {
                "name": k.name,
                "scope": k.scope,
                "created_at": k.created_at,
                "revoked_at": k.revoked_at,
            }
            for k in list_keys(session)
        ]
    return {"items": keys, "total": len(keys)}
