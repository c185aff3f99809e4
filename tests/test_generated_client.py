"""A Python client generated from /openapi.json by openapi-python-client works against a real
server, and its functions are named after the operationIds."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx


def test_generated_client_fetches_observations(live_server: str, tmp_path: Path) -> None:
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
    api = package / "api"
    for module in ["observations/list_observations.py", "indicators/get_indicator.py",
                   "search/search.py", "entities/list_entities.py", "downloads/download_dataset.py"]:  # fmt: skip
        assert (api / module).is_file(), module
    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module("jinzhong_client")
        list_observations = importlib.import_module(
            "jinzhong_client.api.observations.list_observations"
        )
        client = client_module.Client(base_url=live_server)
        page = list_observations.sync(
            client=client, indicator=["gdp"], source=["jzrb-2025-10-24-p03"], lang="en"
        )
        assert page.total == 1
        assert page.items[0].value == 2458.8
        assert page.items[0].indicator_name == "Gross regional product"
        assert page.items[0].qualifier.value == "exact"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("jinzhong_client")]:
            del sys.modules[name]
