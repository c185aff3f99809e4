"""Documentation stays true: its links reach a file and heading, every docs file is in the
README's map, every setting is in docs/settings.md, every endpoint in
docs/api.md, the two commands in the README, and the OpenAPI
document gives every operation a stable operationId, a description, a tag and its errors."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings
from tests.support.docs import doc

README = doc("README.md")
SETTINGS_DOC = doc("settings.md")
API_DOC = doc("api.md")


def test_docs_document_every_setting() -> None:
    table = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", SETTINGS_DOC, re.MULTILINE)
    }
    assert set(table) == {name.upper() for name in Settings.model_fields}
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path) or str(default).startswith("sqlite:"):
            # Paths inside the project are written with a <project> placeholder.
            default = str(default).replace(str(PROJECT_ROOT), "<project>")
        assert table[name.upper()] == str(default), name


def test_docs_document_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in paths:
        assert f"GET {path}`" in API_DOC, path


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README
    assert "make test" in README


def test_openapi_operations_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            # Reads are GETs; writes (curation) are POST, PATCH and DELETE.
            assert method in {"get", "post", "patch", "delete"}, (path, method)
            operation_ids.append(operation["operationId"])
            assert re.fullmatch(r"[a-z]+[A-Za-z]*", operation["operationId"]), operation[
                "operationId"
            ]
            assert operation.get("description") or operation.get("summary"), path
            assert operation.get("tags"), path
            assert "400" in operation["responses"], path
            problem = operation["responses"]["400"]["content"]
            assert "application/problem+json" in problem, path
            if "{code}" in path:
                assert "404" in operation["responses"], path
    assert len(operation_ids) == len(set(operation_ids))
    assert {"listObservations", "getIndicator", "listRegions"} <= set(operation_ids)
    tags = {tag["name"] for tag in spec["tags"]}
    used = {
        tag for methods in spec["paths"].values() for op in methods.values() for tag in op["tags"]
    }
    assert used <= tags


def test_openapi_enumerates_closed_vocabularies(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["Qualifier"]["enum"]) == {
        "exact", "approximately", "more_than", "cumulative", "rank", "range",
    }  # fmt: skip
    assert set(schemas["PeriodPrecision"]["enum"]) == {"year", "month", "day", "span"}


def test_docs_pages_are_served_from_the_app(client: TestClient) -> None:
    for path in ["/docs", "/redoc"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "text/html" in response.headers["content-type"]
        assert "default-src 'self'" in response.headers["content-security-policy"]
        for url in re.findall(r'(?:src|href)="([^"]+)"', response.text):
            assert url.startswith("/"), url
            assert client.get(url).status_code == 200, url
    assert "cdn.redoc.ly" not in client.get("/static/redoc/redoc.standalone.js").text


def heading_anchors(text: str) -> set[str]:
    """The anchors a Markdown renderer gives a file's headings (GitHub's rule)."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", text, flags=re.S), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_docs_links_reach_a_file_and_heading() -> None:
    files = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            name, _, anchor = target.partition("#")
            linked = (path.parent / name).resolve() if name else path
            assert linked.exists(), f"{path.name}: {target}"
            if anchor:
                anchors = heading_anchors(linked.read_text(encoding="utf-8"))
                assert anchor in anchors, f"{path.name}: {target}"


def test_readme_maps_every_docs_file() -> None:
    for path in sorted((PROJECT_ROOT / "docs").glob("*.md")):
        assert f"](docs/{path.name})" in README, path.name
