"""An app's access log pointed at a file, and the lines read back from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.api.runtime import runtime_of


class AccessFile:
    """Where an app (before it starts) writes its request lines instead of stderr. The
    access logger must be enabled for INFO when the app starts, or there are none."""

    def __init__(self, app: FastAPI, path: Path, *, interval: float | None = None) -> None:
        self.path = path
        self.file = path.open("wb")
        access_log = runtime_of(app).access_log
        access_log.fd = self.file.fileno()
        if interval is not None:  # a long one: only the flush at shutdown writes the lines
            access_log.interval = interval

    def entries(self) -> list[dict[str, Any]]:
        """Every line written so far, each parsed as the one JSON object it must be."""
        self.file.flush()
        return [json.loads(line) for line in self.path.read_bytes().splitlines()]

    def close(self) -> None:
        """Close the file (after the app has stopped)."""
        self.file.close()
