"""The HTTP API. Before any of its modules builds a route, FastAPI stops importing
pydantic.v1 to look for models of it (app.api.fastapi_patches)."""

from app.api.fastapi_patches import refuse_pydantic_v1_without_importing_it

refuse_pydantic_v1_without_importing_it()
