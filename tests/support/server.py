"""A real `jinzhong serve` process on 127.0.0.1, started as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx2 as httpx
import pytest

from app.config import PROJECT_ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A `jinzhong serve` process on 127.0.0.1, started as an operator would, and its URL."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        # A file, not a pipe: a pipe nobody reads fills up and stalls a server that logs.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env={**os.environ, "HOST": "127.0.0.1", **env},
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.process.kill()
        pytest.fail("jinzhong serve did not answer /healthz within 30 s")

    def stop(self) -> str:
        """Stop it (if still running) and return what it wrote to stderr (again and again)."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        if not self.log.closed:
            self.log.seek(0)
            self.written = self.log.read()
            self.log.close()
        return self.written
