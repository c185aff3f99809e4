"""A Python client generated from /openapi.json by openapi-python-client works against a real
server: its functions are named after the operationIds, in words the API itself uses (no
made-up plural); a 404 and a 422 parse into the typed Problem; JSON-stat comes back typed, as
the bytes of its declared media type; CSV comes back as the bytes of text/csv from each
list's `.csv` twin (list_observations_csv...); a list is read whole by following links.next.

Why the twins: openapi-python-client (to 0.29 at least) parses a response by its status code
alone, with the first media type the document lists for it. A list's 200 is JSON first (typed
pages for every JSON caller), so `format_=csv` on the list itself still cannot be read
through its function: its `format` parameter sends such a client to the twin.

Writes and the keys' list take a key: the document declares a bearer scheme on exactly those
operations, and the generated AuthenticatedClient carries it (against a server on a database
of the test's own, since it writes)."""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2 as httpx
import pytest

from app.rules.resources import SINGULAR
from tests.support.curation import make_database
from tests.support.server import Served


@pytest.fixture(scope="module")
def generated(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package openapi-python-client generates from the live server's /openapi.json,
    importable as jinzhong_client while the module's tests run."""
    tmp_path = tmp_path_factory.mktemp("client")
    spec = tmp_path / "openapi.json"
    spec.write_text(httpx.get(f"{live_server}/openapi.json").text, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(
        "package_name_override: jinzhong_client\n"
        "content_type_overrides:\n  application/zip: application/octet-stream\n"
    )
    package = tmp_path / "jinzhong_client"
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--meta", "none", "--config", str(config),
         "--output-path", str(package)],
        capture_output=True, text=True, env={**os.environ, "PATH": f"{generator.parent}:{os.environ['PATH']}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("jinzhong_client")]:
            del sys.modules[name]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"jinzhong_client.{name}")


def client(live_server: str) -> Any:
    return module("client").Client(base_url=live_server)


def test_generated_client_names_are_words_of_the_api(generated: Path) -> None:
    names = [p.stem for p in (generated / "api").rglob("*.py")]
    names += [p.stem for p in (generated / "models").glob("*.py")]
    # A word that starts like one of the API's resource nouns must be that noun, singular or
    # plural, as the API spells it: "entitie" or "peoples" is no word.
    nouns = {**SINGULAR, **{one: one for one in SINGULAR.values()}}
    checked = 0
    for name in names:
        for word in name.split("_"):
            for noun in nouns:
                if word[:4] == noun[:4] and len(word) > 3:
                    checked += 1
                    assert word in nouns, f"{name}: {word!r}"
    assert checked > 50
    curation = {p.stem for p in (generated / "api" / "curation").glob("*.py")}
    assert {"create_entity", "get_entity_record", "list_entity_history"} <= curation


def test_generated_client_parses_errors_as_problems(generated: Path, live_server: str) -> None:
    problem_class = module("models").Problem
    get_observation = module("api.observations.get_observation")
    response = get_observation.sync_detailed(code="nope", client=client(live_server))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert isinstance(response.parsed, problem_class)
    assert (response.parsed.status, response.parsed.title) == (404, "Not Found")
    assert "nope" in response.parsed.detail

    list_observations = module("api.observations.list_observations")
    response = list_observations.sync_detailed(client=client(live_server), region=["149999"])
    assert response.status_code == 422
    assert isinstance(response.parsed, problem_class)
    assert response.parsed.status == 422
    assert [error.name for error in response.parsed.errors] == ["region"]


def test_generated_client_jsonstat_is_typed_and_of_its_media_type(
    generated: Path, live_server: str
) -> None:
    list_observations = module("api.observations.list_observations")
    jsonstat = module("models.list_observations_format_type_0").ListObservationsFormatType0.JSONSTAT
    response = list_observations.sync_detailed(
        client=client(live_server), indicator=["gdp"], format_=jsonstat
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert isinstance(response.content, bytes)
    assert json.loads(response.content)["class"] == "dataset"
    assert type(response.parsed).__name__ == "JSONStat20Dataset"
    assert response.parsed.version.value == "2.0"


def test_generated_client_csv_is_of_a_declared_media_type(
    generated: Path, live_server: str
) -> None:
    spec = httpx.get(f"{live_server}/openapi.json").json()
    declared = spec["paths"]["/v1/observations"]["get"]["responses"]["200"]["content"]
    http = client(live_server).get_httpx_client()
    response = http.get("/v1/observations", params={"indicator": "gdp", "format": "csv"})
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in declared
    assert declared[media_type]["schema"]["type"] == "string"
    header = response.content.split(b"\r\n")[0].split(b",")
    assert {b"code", b"value"} <= set(header)


def test_generated_client_reads_csv_from_the_twin(generated: Path, live_server: str) -> None:
    list_observations = module("api.observations.list_observations")
    list_observations_csv = module("api.observations.list_observations_csv")
    response = list_observations_csv.sync_detailed(
        client=client(live_server), indicator=["gdp"], all_=True, lang="en"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/csv"
    assert isinstance(response.content, bytes)
    # The generator reads a text/csv 200 as text: `parsed` is the CSV as a str.
    assert response.parsed == response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    page = list_observations.sync(client=client(live_server), indicator=["gdp"], all_=True)
    assert len(rows) == page.total == len(page.items) > 1
    assert [row["code"] for row in rows] == [item.code for item in page.items]
    assert [float(row["value"]) for row in rows] == [item.value for item in page.items]
    assert {row["indicator_name"] for row in rows} == {"Gross regional product"}

    units_csv = module("api.units.list_units_csv")
    response = units_csv.sync_detailed(client=client(live_server), bom=True, limit=2)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert len(response.content.decode("utf-8-sig").split("\r\n")) == 4  # header, 2 rows, end


def test_generated_client_csv_through_the_list_is_not_parsed(
    generated: Path, live_server: str
) -> None:
    # The list declares the CSV it sends, but this generator reads its 200 as JSON: the
    # function fails, and the parameter's description names the twin to use instead.
    list_observations = module("api.observations.list_observations")
    csv_format = module("models.list_observations_format_type_0").ListObservationsFormatType0.CSV
    with pytest.raises(json.JSONDecodeError):
        list_observations.sync_detailed(
            client=client(live_server), indicator=["gdp"], format_=csv_format
        )
    assert "/v1/observations.csv" in (list_observations.sync_detailed.__doc__ or "")


def test_generated_client_reads_a_list_by_its_next_links(generated: Path, live_server: str) -> None:
    list_observations = module("api.observations.list_observations")
    page_class = module("models").PageObservationRead
    page = list_observations.sync(client=client(live_server), limit=40)
    assert isinstance(page, page_class)
    codes = [item.code for item in page.items]
    http = client(live_server).get_httpx_client()
    while page.links.next_ is not None:
        assert re.search(r"[?&]offset=", page.links.next_)
        page = page_class.from_dict(http.get(page.links.next_).json())
        codes += [item.code for item in page.items]
    assert len(codes) == len(set(codes)) == page.total > 40


def test_generated_client_fetches_observations(generated: Path, live_server: str) -> None:
    api = generated / "api"
    for name in ["observations/list_observations.py", "indicators/get_indicator.py",
                 "search/search.py", "entities/list_entities.py", "downloads/download_dataset.py"]:  # fmt: skip
        assert (api / name).is_file(), name
    list_observations = module("api.observations.list_observations")
    page = list_observations.sync(
        client=client(live_server), indicator=["gdp"], source=["jzrb-2025-10-24-p03"], lang="en"
    )
    assert page.total == 1
    assert page.items[0].value == 2458.8
    assert page.items[0].indicator_name == "Gross regional product"
    assert page.items[0].qualifier.value == "exact"


def test_generated_client_writes_with_a_key(
    generated: Path, seeded_database: Callable[[str], str]
) -> None:
    url, write_key, admin_key = make_database(seeded_database)
    server = Served({"DATABASE_URL": url, "LOG_LEVEL": "warning", "DATA_VERSION_TTL": "0"})
    try:
        clients = module("client")
        writer = clients.AuthenticatedClient(base_url=server.base, token=write_key)
        admin = clients.AuthenticatedClient(base_url=server.base, token=admin_key)
        anonymous = clients.Client(base_url=server.base)
        problem_class = module("models").Problem
        get_record = module("api.curation.get_observation_record")
        update = module("api.curation.update_observation")
        body = module("models.update_observation_body").UpdateObservationBody.from_dict(
            {"note": "Checked against the printed page."}
        )

        # The functions of a keyed operation ask for a client with a key; reads take either.
        list_keys = module("api.curation.list_keys")
        for function in (update.sync_detailed, list_keys.sync_detailed):
            assert "client: AuthenticatedClient," in inspect.getsource(function)
        assert "client: AuthenticatedClient | Client," in inspect.getsource(get_record.sync)

        etag = get_record.sync_detailed("gdp-2024", client=anonymous).headers["etag"]
        refused = update.sync_detailed("gdp-2024", client=anonymous, body=body, if_match=etag)
        assert refused.status_code == 401
        assert isinstance(refused.parsed, problem_class)

        written = update.sync_detailed(
            "gdp-2024", client=writer, body=body, if_match=etag, reason="checked"
        )
        assert written.status_code == 200, written.content
        assert written.headers["etag"] != etag
        record = get_record.sync_detailed("gdp-2024", client=anonymous)
        assert json.loads(record.content)["note"] == "Checked against the printed page."

        forbidden = list_keys.sync_detailed(client=writer)
        assert forbidden.status_code == 403
        assert isinstance(forbidden.parsed, problem_class)
        keys = list_keys.sync_detailed(client=admin)
        assert keys.status_code == 200
        assert {key["name"] for key in json.loads(keys.content)["items"]} == {"alice", "root"}
    finally:
        server.stop()
