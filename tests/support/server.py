"""A real `jinzhong serve` process on 127.0.0.1, started as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
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
    """A `jinzhong serve` process on 127.0.0.1, started as an operator would, and its URL.

    Its stderr is a pipe, as under a process supervisor or a container runtime, drained by a
    thread of the test's as it is written (a pipe nobody reads fills up and stalls a server
    that logs); `written_so_far` and `stop` give what came through it.
    """

    def __init__(self, env: dict[str, str], *args: str) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self._chunks: list[bytes] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env={**os.environ, "HOST": "127.0.0.1", **env},
            stderr=subprocess.PIPE,
        )
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        try:
            self._wait_until_up()
        except BaseException:
            # Interrupted too (Ctrl-C, or `make test` stopping its PostgreSQL run): no
            # fixture tears down what is not yet made, so the server is stopped here.
            self.process.kill()
            self.process.wait()
            raise

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("jinzhong serve did not answer /healthz within 30 s")

    def _drain(self) -> None:
        assert self.process.stderr is not None
        # Whatever the pipe holds, as it comes: a line cut by another writer shows as it was.
        fd = self.process.stderr.fileno()
        while chunk := os.read(fd, 65536):
            self._chunks.append(chunk)

    def written_so_far(self) -> str:
        """What the server has written to stderr until now."""
        return b"".join(self._chunks).decode("utf-8")

    def stop(self) -> str:
        """Stop it (if still running) and return what it wrote to stderr (again and again)."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        self.process.stderr.close()  # type: ignore[union-attr]
        return b"".join(self._chunks).decode("utf-8")
