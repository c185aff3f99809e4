"""A headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

Without the system package (.ci/run installs it) the tests that use `page` skip locally,
and fail in CI (CI=true), where every test must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from tests.support.databases import BACKEND

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep a headless Chromium quiet: no background calls to outside services.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]  # fmt: skip
# Screenshots and other files a reader of a test run may want to look at, one folder per
# database backend: `make test` runs both at once.
ARTIFACTS = (
    Path(os.environ.get("TEST_ARTIFACTS", PROJECT_ROOT / "var" / "test-artifacts")) / BACKEND
)


@pytest.fixture
def page() -> Iterator[playwright.Page]:
    """A fresh browser page."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
        )
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        yield context.new_page()
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    """Where a test saves what it produced (screenshots)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
