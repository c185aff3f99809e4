"""Two changes to FastAPI's start-up, made before any route exists (app/api/__init__.py).
Each answers exactly what FastAPI's own code answers, without work that cannot change it;
together they were a quarter of a cold start (`python -X importtime`, tests/test_cold_start.py
and tests/api/test_routes_built_once.py hold them).

**No pydantic.v1.** FastAPI refuses pydantic.v1 models with a clear error. To find them it
imports `pydantic.v1` for every field of every route it builds and asks whether the
annotation subclasses `pydantic.v1.BaseModel`: the import alone, a whole second pydantic this
app never uses, was a tenth of a cold start, and each of the ~400 asks entered a
`warnings.catch_warnings()` block. A pydantic.v1 model cannot exist in a process that never
imported `pydantic.v1`: its base class is defined there. So the same question is answered
from `sys.modules` without the import: no `pydantic.v1` loaded, no such model; once loaded (by
anyone), FastAPI's own check runs, and a v1 model is still refused exactly as before.

**Each dependency analysed once.** For every route FastAPI analyses each dependency's
signature again (its parameters made into validated fields): the language, the page, the
format, the session, ~240 analyses of 11 dependencies, 0.1–0.15 s of every start. The analysis
(`fastapi.dependencies.utils.get_dependant`) depends only on its arguments, and on the path
only through the names of the path's parameters; what it returns is never changed once made
(FastAPI adds a route's own dependencies to the route's top analysis, which it makes itself,
not through this function). So one analysis per dependency and set of path parameter names is
kept and shared. The one use FastAPI makes of an analysis' path, analysing an overriding
dependency in its place, reads from it only the same parameter names.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from fastapi import encoders
from fastapi._compat import shared
from fastapi.dependencies import utils
from fastapi.dependencies.models import Dependant


def refuse_pydantic_v1_without_importing_it() -> None:
    """Make FastAPI's pydantic.v1 checks answer "no" without importing pydantic.v1 when
    nothing has imported it, and check as before once something has. Idempotent."""
    checks = ("is_pydantic_v1_model_class", "is_pydantic_v1_model_instance")
    if not all(hasattr(shared, name) for name in checks) or not hasattr(
        encoders, "is_pydantic_v1_model_instance"
    ):
        return  # a FastAPI without these checks: nothing to spare
    if getattr(shared.is_pydantic_v1_model_class, "_lazy", False):
        return
    model_class_check = shared.is_pydantic_v1_model_class
    model_instance_check = shared.is_pydantic_v1_model_instance

    def is_pydantic_v1_model_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and model_class_check(cls)

    def is_pydantic_v1_model_instance(obj: Any) -> bool:
        return "pydantic.v1" in sys.modules and model_instance_check(obj)

    is_pydantic_v1_model_class._lazy = True  # type: ignore[attr-defined]
    # FastAPI looks the class check up in its module at each call (annotation_is_pydantic_v1)
    # and imported the instance check by name into its encoder.
    shared.is_pydantic_v1_model_class = is_pydantic_v1_model_class
    shared.is_pydantic_v1_model_instance = is_pydantic_v1_model_instance
    encoders.is_pydantic_v1_model_instance = is_pydantic_v1_model_instance


def analyse_each_dependency_once() -> None:
    """Keep FastAPI's analysis of a dependency and give it to every route that uses it with
    the same path parameter names. Idempotent; does nothing if FastAPI's function takes other
    arguments than the ones this knows (a newer FastAPI: its own analysis, every time)."""
    if getattr(utils.get_dependant, "_shared", False):
        return
    analyse = utils.get_dependant
    parameters = inspect.signature(analyse).parameters
    if set(parameters) != {"path", "call", *_ARGUMENTS}:
        return
    defaults = {name: parameters[name].default for name in _ARGUMENTS}
    # By the dependency's identity, as FastAPI itself tells dependencies apart (two equal
    # callables are still two dependencies); each entry keeps its callable alive, so an id is
    # never reused while its entry exists. Entries live as long as the process: one per
    # dependency a route or an override (a test's) ever named.
    analyses: dict[tuple[Any, ...], tuple[Any, Dependant]] = {}

    def get_dependant(*, path: str, call: Any, **arguments: Any) -> Dependant:
        given = {**defaults, **arguments}
        try:
            key = (
                id(call),
                frozenset(utils.get_path_param_names(path)),
                *(_hashable(given[name]) for name in _ARGUMENTS),
            )
            found = analyses.get(key)
        except TypeError:  # an argument that cannot be a key: analysed every time, as before
            return analyse(path=path, call=call, **arguments)
        if found is None:
            found = analyses[key] = (call, analyse(path=path, call=call, **arguments))
        return found[1]

    get_dependant._shared = True  # type: ignore[attr-defined]
    # FastAPI analyses sub-dependencies (and overriding ones) through its module's global; a
    # route's top analysis, which it changes afterwards, through its own import, untouched.
    utils.get_dependant = get_dependant


# Every argument of get_dependant but `path` and `call`, in a fixed order (the key's).
_ARGUMENTS = (
    "name",
    "own_oauth_scopes",
    "parent_oauth_scopes",
    "use_cache",
    "scope",
    "concurrency",
)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
