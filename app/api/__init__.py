"""The HTTP API. Before any of its modules builds a route, FastAPI is spared two pieces of
work that cannot change what it builds (app.api.fastapi_patches)."""

from app.api.fastapi_patches import (
    analyse_each_dependency_once,
    refuse_pydantic_v1_without_importing_it,
)

refuse_pydantic_v1_without_importing_it()
analyse_each_dependency_once()
