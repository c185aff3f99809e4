"""What the OpenAPI document says about every operation alike, that FastAPI cannot say itself.

FastAPI files a route's declared error model under the route's own media type
(application/json), while every error is sent as application/problem+json; it knows nothing
of what the middleware answers before any route runs (a 414 for a query string too long); and
it declares If-Match optional where the route reads it itself, to answer 428 rather than a
422. Each of those is put right here, once, for the whole document.
"""

from __future__ import annotations

from typing import Any

from app.api.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# The models FastAPI adds for its own 422, which no response uses once errors are Problems.
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_content() -> dict[str, Any]:
    """The content of every error response: a Problem, as application/problem+json."""
    return {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}


def state_the_contract(schema: dict[str, Any], *, max_query_bytes: int) -> None:
    """Put right, in place, what every operation of `schema` shares (see the module's doc);
    `max_query_bytes` is the longest query string the middleware lets through."""
    too_long = (
        f"The query string is longer than {max_query_bytes} bytes, percent-encoded (a long "
        "`reason` or `q` in Chinese reaches it sooner than its character limit)."
    )
    for methods in schema["paths"].values():
        for operation in methods.values():
            responses = operation["responses"]
            for status, response in responses.items():
                if status[:1] in {"4", "5"}:
                    response["content"] = problem_content()
            # The middleware answers 414 before routing, on any path.
            responses.setdefault("414", {"description": too_long, "content": problem_content()})
            if "428" in responses:  # a 428 answers a write without If-Match: it is required
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                        parameter["required"] = True
                        parameter["schema"] = {"type": "string", "minLength": 1}
    components = schema.get("components", {}).get("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        components.pop(name, None)
