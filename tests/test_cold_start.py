"""A server starts with what serving needs and nothing else: `jinzhong serve`, in a process of
its own, answers /readyz without having imported the seeder (app.seed: its YAML reader, its
whole-dataset rules), Alembic, the synthetic data, the load test or any package that only a
curator's build step, the test suite or the benchmark installs. They cost every restart
time and bought a server nothing: a server neither migrates nor seeds (`serve --prepare`
does, and imports them only when there is work), and the API's writes load the seeder's
rules at their first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app.config import PROJECT_ROOT
from tests.support.server import free_port

# Packages (and every module under them) a serving process must not have imported.
NOT_FOR_SERVING = (
    # The seeder, the YAML it reads, the migrations' machinery (Alembic and its templates).
    "app.seed",
    "yaml",
    "alembic",
    "mako",
    # The `synth` and `boundaries` commands, the benchmark and its peer.
    "app.synth",
    "app.bench",
    "cnmaps",
    "datasette",
    # Clients and test tools: a server makes no HTTP requests.
    "httpx",
    "httpx2",
    "frictionless",
    "pytest",
    "hypothesis",
    "schemathesis",
    # A second pydantic, which FastAPI imported only to look for its models among ours
    # (app.api.fastapi_patches).
    "pydantic.v1",
)

# Run in the server's own process: `jinzhong serve` as the console script runs it, and a
# thread that asks /readyz until it answers 200, then reads a list and an item (the /v1
# routes are made ready at their first request), prints what it saw and the modules
# imported by then, and stops the server (as Ctrl-C would). urllib is the standard
# library's: it adds nothing above.
PROBE = """
import json, os, signal, sys, threading, time, urllib.request

def status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except OSError:
        return None

def probe(base):
    deadline = time.monotonic() + 120
    ready = False
    while not ready and time.monotonic() < deadline:
        ready = status(base + "/readyz") == 200
        if not ready:
            time.sleep(0.05)
    reads = [status(base + path) for path in READS] if ready else []
    seen = {"ready": ready, "reads": reads, "modules": sorted(sys.modules)}
    print(json.dumps(seen), flush=True)
    os.kill(os.getpid(), signal.SIGINT)

READS = json.loads(sys.argv[2])
threading.Thread(target=probe, args=(sys.argv[1],), daemon=True).start()
sys.argv = ["jinzhong", *sys.argv[3:]]
from app.cli import main
main()
"""

# Read once the server is ready, before the modules are listed: a list and an item.
READS = ["/v1/observations?limit=1", "/v1/indicators"]


def served_modules(database_url: str) -> list[str]:
    """The modules a fresh `jinzhong serve` on `database_url` has imported by the time its
    /readyz has answered 200 and it has answered READS; fails unless they were all 200."""
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            f"http://127.0.0.1:{port}",
            json.dumps(READS),
            *("serve", "--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"the server printed nothing (exit {result.returncode}):\n{result.stderr}"
    seen = json.loads(lines[-1])
    assert seen["ready"], f"/readyz never answered 200:\n{result.stderr}"
    assert seen["reads"] == [200] * len(READS), (seen["reads"], result.stderr)
    modules: list[str] = seen["modules"]
    return modules


def test_serve_imports_nothing_serving_does_not_need(seeded_url: str) -> None:
    modules = served_modules(seeded_url)
    assert "app.main" in modules
    assert "app.services.health" in modules
    loaded = [
        name
        for name in modules
        if any(name == package or name.startswith(f"{package}.") for package in NOT_FOR_SERVING)
    ]
    assert loaded == []


def test_a_pydantic_v1_model_is_still_refused_once_pydantic_v1_is_loaded() -> None:
    # Serving never loads pydantic.v1 (above); whoever does gets FastAPI's own refusal. In a
    # process of its own: loaded here, pydantic.v1 would stay loaded for the tests after.
    result = subprocess.run([sys.executable, "-c", LEGACY_MODEL], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused: Legacy"


# A route declaring a pydantic.v1 model, after app.api has changed FastAPI's checks.
LEGACY_MODEL = """
import app.api
from fastapi import FastAPI
from fastapi.exceptions import PydanticV1NotSupportedError
from pydantic import v1

class Legacy(v1.BaseModel):
    number: int

try:
    FastAPI().get("/legacy", response_model=Legacy)(lambda: None)
except PydanticV1NotSupportedError as error:
    print("refused:", "Legacy" if "Legacy" in str(error) else error)
"""
