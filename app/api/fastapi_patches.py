"""One change to FastAPI's start-up, made before any route exists (app/api/__init__.py).

FastAPI refuses pydantic.v1 models with a clear error. To find them it imports `pydantic.v1`
for every field of every route it builds and asks whether the annotation subclasses
`pydantic.v1.BaseModel`: the import alone, a whole second pydantic this app never uses, was a
tenth of a cold start (`python -X importtime`), and each of the ~400 asks entered a
`warnings.catch_warnings()` block.

A pydantic.v1 model cannot exist in a process that never imported `pydantic.v1`: its base
class is defined there. So the same question is answered from `sys.modules` without the
import: no `pydantic.v1` loaded, no such model; once loaded (by anyone), FastAPI's own check
runs, so a v1 model is still refused exactly as before (tests/test_cold_start.py shows both).
"""

from __future__ import annotations

import sys
from typing import Any

from fastapi import encoders
from fastapi._compat import shared


def refuse_pydantic_v1_without_importing_it() -> None:
    """Make FastAPI's pydantic.v1 checks answer "no" without importing pydantic.v1 when
    nothing has imported it, and check as before once something has. Idempotent."""
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
