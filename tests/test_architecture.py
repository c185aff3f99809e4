"""The architecture holds: what a running app keeps is read through its one typed Runtime."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.api.runtime import Runtime, runtime_of
from app.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"


def test_runtime_is_the_apps_only_state(client: TestClient) -> None:
    held = runtime_of(client.app)
    assert isinstance(held, Runtime)
    client.get("/v1/topics")
    assert held.caches.served_version() is not None  # the data route read it into the runtime
    readers = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted(APP.rglob("*.py"))
        if path != APP / "api" / "runtime.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.state\b", line)
    ]
    assert readers == [], "app.state is read only through app/api/runtime.py"
