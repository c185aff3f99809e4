"""A write's JSON body nested deeper than MAX_BODY_DEPTH levels is a 422 naming the body,
at any depth, on POST and PATCH alike: it is refused before anything walks it recursively.
A body within the limit goes on to the record's own checks."""

from __future__ import annotations

from app.api.v1.curation import MAX_BODY_DEPTH, nesting_depth
from tests.support.curation import Curated, problem

GDP = "/v1/observations/gdp-2024"
TOO_DEEP = {"location": "body", "name": "body", "message": "nested too deeply"}
DEPTHS = [MAX_BODY_DEPTH + 1, 100, 327, 944, 5_000, 10_000, 100_000]


def _nested(depth: int, kind: str) -> str:
    """A record whose `note` holds arrays or objects nested so that the body has `depth`
    levels (the record itself is the first)."""
    inner = depth - 1
    if kind == "array":
        value = "[" * inner + "]" * inner
    else:
        value = '{"a":' * (inner - 1) + "{}" + "}" * (inner - 1)
    return f'{{"note": {value}}}'


def test_body_nested_too_deeply_is_a_422_on_every_write(curated: Curated) -> None:
    etag = curated.etag(GDP)
    headers = {**curated.auth(), "Content-Type": "application/json"}
    wrong = []
    for depth in DEPTHS:
        for kind in ("array", "object"):
            body = _nested(depth, kind)
            for response in (
                curated.client.post("/v1/observations", content=body, headers=headers),
                curated.client.patch(GDP, content=body, headers={**headers, "If-Match": etag}),
            ):
                found = response.json()
                if (
                    response.status_code != 422
                    or response.headers["content-type"] != "application/problem+json"
                    or found.get("errors") != [TOO_DEEP]
                    or f"{MAX_BODY_DEPTH} levels" not in found["detail"]
                ):
                    wrong.append((depth, kind, response.request.method, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_body_at_the_depth_limit_reaches_the_record_checks(curated: Curated) -> None:
    headers = {**curated.auth(), "Content-Type": "application/json", "If-Match": curated.etag(GDP)}
    response = curated.client.patch(GDP, content=_nested(MAX_BODY_DEPTH, "object"), headers=headers)
    # Refused for what `note` holds, not for its depth.
    found = problem(response, 422)
    assert found["errors"] != [TOO_DEEP]


def test_nesting_depth_skips_brackets_inside_strings() -> None:
    assert nesting_depth(b'{"a": "[[[{{{", "b": ["\\"[[", {"c": "\\\\"}]}') == 3
    assert nesting_depth(b'"[[[["') == 0
    assert nesting_depth(b"[" * 100_000) == MAX_BODY_DEPTH + 1  # counted only so far


def test_nesting_depth_reads_an_unterminated_string_to_the_end() -> None:
    # A string that never closes runs to the end of the body, brackets and escaped quotes
    # included: one pass over it, not one attempt per quote (which took an hour for 1 MiB).
    assert nesting_depth(b'"' + b'\\"' * 1000 + b"[[[") == 0
    assert nesting_depth(b'[{"a": "x\\"' + b"[" * 40) == 2


def test_body_of_escaped_quotes_is_refused_as_not_json(curated: Curated) -> None:
    body = b'{"note": "' + b'\\"' * 250_000  # half a MiB of a string that never closes
    response = curated.client.patch(
        "/v1/observations/gdp-2024",
        content=body,
        headers={
            **curated.auth(),
            "If-Match": curated.etag("/v1/observations/gdp-2024"),
            "Content-Type": "application/json",
        },
    )
    assert problem(response, 422)["errors"] == [
        {"location": "body", "name": "body", "message": "not valid JSON"}
    ]
