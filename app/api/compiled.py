"""The read path of the data routes, worked out once per route at start-up.

FastAPI answers a request by walking the route's tree of dependencies: for each parameter
it asks again what kind of field it is, which names it goes by and whether it is a list,
then validates it; for each dependency it asks again whether it is a coroutine or a
generator. On the read routes that walk cost more than the queries (about 0.5 ms of a
request's 2 ms on a list of observations). Here the same walk is made once, when a route
is built, into a plan: for each parameter its request name, error location and validator;
for each dependency how to call it. A request then costs the validations and the calls.

The answers are FastAPI's to the byte, because only valid requests take the plan:
- every parameter of the whole tree is validated before any dependency runs; at the first
  invalid one the request is handed to FastAPI's own handler, which validates it again and
  answers the same 422 it always did;
- dependencies run in FastAPI's order, each solved once per request where it asks to be
  cached (keyed by the dependency alone: FastAPI's key adds security scopes, which no
  compiled route has), and what they raise goes to the same exception handlers;
- the endpoint's result is validated and serialized by the route's own response field,
  with its settings, as FastAPI's handler does (in the endpoint's worker thread: one
  thread hop where FastAPI makes two).

A route whose tree holds something the plan does not handle (headers, cookies, a body,
security scopes, a sync dependency, a parameter model) is not compiled and keeps
FastAPI's handler; each DataRoute's `compiled` says which it has. FAST_READS=false sends
every request through FastAPI's handler, for comparison and as an escape hatch.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi._compat import ModelField
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import _get_param_aliases, _get_param_model, _is_json_field
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from fastapi.utils import is_body_allowed_for_status_code
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _InvalidParameterError(Exception):
    """A parameter failed validation: FastAPI's handler answers the request."""


@dataclass(frozen=True, slots=True)
class _Param:
    """One path or query parameter: where it is read and how it is validated."""

    name: str  # the argument it fills
    keys: tuple[str, ...]  # request names, in FastAPI's order of preference
    many: bool  # read every value (a list parameter)
    field: ModelField
    required: bool
    default: Any
    validate_default: bool
    # A default no caller can change (None, a number, a string...): FastAPI's copy of it
    # would be the same object.
    immutable_default: bool

    def read(self, given: Any, values: dict[str, Any]) -> Any:
        """The validated value, as FastAPI's request_params_to_args gives it."""
        key = self.keys[0]
        if len(self.keys) > 1:
            key = next((k for k in self.keys if k in given), key)
        value = given.getlist(key) if self.many else given.get(key)
        if value is None or (self.many and len(value) == 0):
            # Most parameters of a request are absent: their default, at the least cost.
            if self.required:
                raise _InvalidParameterError
            value = self.default if self.immutable_default else deepcopy(self.default)
            if not self.validate_default:
                return value
        validated, errors = self.field.validate(value, values, loc=())
        if errors:
            raise _InvalidParameterError
        return validated


@dataclass(frozen=True, slots=True)
class _Step:
    """One dependency (or the endpoint): its own parameters and what it takes."""

    call: Callable[..., Any]
    name: str | None  # the argument of its caller it fills
    use_cache: bool
    generator: bool
    function_scoped: bool
    path_params: tuple[_Param, ...]
    query_params: tuple[_Param, ...]
    request_name: str | None
    response_name: str | None
    steps: tuple[_Step, ...]


class NotCompilableError(Exception):
    """The route's tree holds something the plan does not handle."""


# Types whose deepcopy is the value itself.
_IMMUTABLE = frozenset({type(None), bool, int, float, str, bytes})


def _param(field: ModelField, many_allowed: bool) -> _Param:
    if _get_param_model(field) is not None:
        raise NotCompilableError(f"parameter model {field.name}")
    info = field.field_info
    many = (
        many_allowed and not _is_json_field(field) and field_annotation_is_sequence(info.annotation)
    )
    return _Param(
        name=field.name,
        keys=tuple(request_key for _, request_key in _get_param_aliases(field)),
        many=many,
        field=field,
        required=info.is_required(),
        default=field.default,
        validate_default=bool(info.validate_default),
        immutable_default=type(field.default) in _IMMUTABLE,
    )


def _step(dependant: Dependant, *, endpoint: bool) -> _Step:
    if (
        dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.security_scopes_param_name
        or dependant.background_tasks_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.own_oauth_scopes
        or dependant.concurrency is not None
    ):
        raise NotCompilableError(f"{dependant.call!r} takes more than parameters")
    call = dependant.call
    if call is None:
        raise NotCompilableError("a dependency without a callable")
    generator = inspect.isasyncgenfunction(call)
    if not endpoint and not generator and not inspect.iscoroutinefunction(call):
        raise NotCompilableError(f"{call!r} is neither a coroutine nor an async generator")
    for field in dependant.path_params:
        if not isinstance(field.field_info, params.Path):
            raise NotCompilableError(f"path parameter {field.name}")
    return _Step(
        call=call,
        name=dependant.name,
        use_cache=dependant.use_cache,
        generator=generator,
        function_scoped=dependant.scope == "function",
        path_params=tuple(_param(f, many_allowed=False) for f in dependant.path_params),
        query_params=tuple(_param(f, many_allowed=True) for f in dependant.query_params),
        request_name=dependant.request_param_name,
        response_name=dependant.response_param_name,
        steps=tuple(_step(sub, endpoint=False) for sub in dependant.dependencies),
    )


def _validate(step: _Step, request: Request, found: dict[int, dict[str, Any]]) -> None:
    """Every parameter of the tree, validated into `found` (by step), before anything runs."""
    for sub in step.steps:
        _validate(sub, request, found)
    values: dict[str, Any] = {}
    if step.path_params:
        path = request.path_params
        for param in step.path_params:
            values[param.name] = param.read(path, values)
    if step.query_params:
        query = request.query_params
        for param in step.query_params:
            values[param.name] = param.read(query, values)
    found[id(step)] = values


async def _solve(
    step: _Step,
    request: Request,
    response: Response,
    found: dict[int, dict[str, Any]],
    cache: dict[Callable[..., Any], Any],
) -> dict[str, Any]:
    """The arguments of `step`'s call: its dependencies run, in FastAPI's order."""
    values: dict[str, Any] = {}
    for sub in step.steps:
        # As FastAPI does: a dependency's own dependencies are solved even when its result
        # is already known.
        arguments = await _solve(sub, request, response, found, cache)
        if sub.use_cache and sub.call in cache:
            solved = cache[sub.call]
        else:
            if sub.generator:
                key = "fastapi_function_astack" if sub.function_scoped else "fastapi_inner_astack"
                stack: AsyncExitStack = request.scope[key]
                solved = await stack.enter_async_context(asynccontextmanager(sub.call)(**arguments))
            else:
                solved = await sub.call(**arguments)
        if sub.name is not None:
            values[sub.name] = solved
        cache.setdefault(sub.call, solved)
    values.update(found[id(step)])
    if step.request_name:
        values[step.request_name] = request
    if step.response_name:
        values[step.response_name] = response
    return values


def compile_handler(route: Any, fallback: Handler) -> Handler | None:
    """The request handler of `route` (an APIRoute) made from a plan, or None where its
    tree holds something the plan does not handle. `fallback` (FastAPI's handler) answers
    whatever the plan does not: invalid parameters and overridden dependencies."""
    try:
        plan = _step(route.dependant, endpoint=True)
    except NotCompilableError:
        return None
    endpoint = plan.call
    if inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint):
        return None
    is_coroutine = inspect.iscoroutinefunction(endpoint)
    response_field = route.response_field
    use_dump_json = response_field is not None and isinstance(
        route.response_class, DefaultPlaceholder
    )
    response_class = (
        route.response_class.value
        if isinstance(route.response_class, DefaultPlaceholder)
        else route.response_class
    )
    overrides = route.dependency_overrides_provider

    def run(values: dict[str, Any]) -> tuple[Any, Any]:
        """The endpoint's result, and its serialized content unless it is a Response.

        FastAPI validates a sync endpoint's result in a second worker-thread hop; here it is
        validated in the same one, by the same field."""
        raw = endpoint(**values)
        if isinstance(raw, Response):
            return raw, None
        return raw, serialize(raw)

    def serialize(raw: Any) -> Any:
        # What FastAPI's serialize_response does, with the route's settings.
        if response_field is None:
            return jsonable_encoder(raw)
        value, errors = response_field.validate(raw, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=raw)
        serializer = response_field.serialize_json if use_dump_json else response_field.serialize
        return serializer(
            value,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )

    async def handler(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            return await fallback(request)
        found: dict[int, dict[str, Any]] = {}
        try:
            _validate(plan, request, found)
        except _InvalidParameterError:
            return await fallback(request)
        # The response dependencies write headers on, as FastAPI makes it.
        sub_response = Response()
        del sub_response.headers["content-length"]
        sub_response.status_code = None  # type: ignore[assignment]
        values = await _solve(plan, request, sub_response, found, {})
        if is_coroutine:
            raw = await endpoint(**values)
            content = None if isinstance(raw, Response) else serialize(raw)
        else:
            raw, content = await run_in_threadpool(run, values)
        if isinstance(raw, Response):
            return raw
        status = route.status_code or sub_response.status_code
        arguments: dict[str, Any] = {"background": None}
        if status is not None:
            arguments["status_code"] = status
        if sub_response.status_code:
            arguments["status_code"] = sub_response.status_code
        if use_dump_json:
            response = Response(content=content, media_type="application/json", **arguments)
        else:
            response = response_class(content, **arguments)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    return handler
