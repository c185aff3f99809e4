"""`make bench`: this API against the stack's ceiling and against Datasette, on one machine.

Each server runs alone, one process pinned to core 0 (where taskset exists); wrk drives it
from core 1 with 32 connections (an asyncio client stands in where wrk is missing). Every
workload runs against the real seed and against a synthetic million observations. Results
are printed as one table and written as JSON under var/bench/. The replayed answers (log on
and quiet) are measured once more beside the ceiling in interleaved rounds (`interleaved`),
all three servers up (idle but for the one loaded) and each row once a round: their ratios
to the ceiling depend far less on which 15 s of a shared machine's day a row happened to get.

The postgres part runs this API's workloads again on PostgreSQL (BENCH_POSTGRES_URL, by
default the local server), in a database of the bench's own, dropped afterwards: at seed
size migrated and seeded by `jinzhong migrate` and `jinzhong seed`, at a million the
synthetic SQLite file's rows copied in (`copy_rows`), so both backends answer from the same
rows; the sweep asks both for the same random sample of codes, drawn from the SQLite file.
At a million, the sweep is also run on both in interleaved rounds (`interleaved_sweep`),
for a ratio of PostgreSQL to SQLite that a slow spell of the machine does not decide.
PostgreSQL's own processes are not pinned: they run on whichever core is free, beside the
API on core 0 and wrk on core 1, so its rows count its work where SQLite's run in the API.
The workers part runs them with `jinzhong serve --workers 2` at a million (on SQLite, and
on PostgreSQL with the postgres part). Its server is pinned to cores 0 and 1, one core a
worker, and wrk is left unpinned: on a 2-core machine the client shares the cores with the
workers, so those rows say what two workers give with the load generator beside them, not
what two free cores would; the one-worker rows keep their own core and the client its own.
The load starts once both workers are up and idle.

The layers part times a sweep request's CPU entering the app at each layer, in one process
with no network (`measure_layers`): where the time goes, from the front door down to the
statements alone. The writers part measures health answers and uncached reads with and
without 16 writers at work, on SQLite and on PostgreSQL. The restart part times a second
`make run` on an up-to-date database, end to end, to its first 200. A part that needs
PostgreSQL skips it, saying why, when no server answers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from app.db import postgres_unreachable
from app.synth import copy_rows

OUT = PROJECT_ROOT / "var" / "bench"
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = 32
SYNTHETIC = int(os.environ.get("BENCH_OBSERVATIONS", "1000000"))
SOAK_SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "60"))
# The interleaved rounds of the replayed answers against the ceiling (see `interleaved`).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "3"))
# "tables" (every server and workload on SQLite), "postgres", "workers", "layers", "soak",
# "writers", "versions" and/or "restart"; all by default. The ratios to the ceiling, to
# Datasette and to SQLite need the tables part's rows of the same size.
EVERY_PART = "tables,postgres,workers,layers,soak,writers,versions,restart"
PARTS = set(os.environ.get("BENCH_PARTS", EVERY_PART).split(","))
# A PostgreSQL server (its URL, any database) for the postgres and writers parts; each
# creates a database of its own there and drops it afterwards.
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Rows measured on PostgreSQL are labelled with the SQLite database's name after this.
PG = "pg-"
# Worker processes of the scale-out rows, and their server's label.
SCALED_WORKERS = 2
SCALED = f"jinzhong-w{SCALED_WORKERS}"
WRITERS = 16
# Read by the writers part with the response memory off: every answer is computed.
UNCACHED_READ = "/v1/regions/140700"
WRITTEN = "/v1/observations/gdp-2024"
# PATCHes of one observation, one after another, for the versions part.
PATCHES = int(os.environ.get("BENCH_PATCHES", "200"))
# Second `make run`s timed by the restart part (their median is the figure).
RESTARTS = int(os.environ.get("BENCH_RESTARTS", "5"))
# The soak server's response memory: small, so it is full after the warm-up and the soak
# measures growth beyond it, which is what a leak would show.
SOAK_CACHE_MB = "8"
# 10 s steps of the soak's warm-up, at most (see `soak`).
SOAK_WARM_UP_STEPS = 12
TASKSET = shutil.which("taskset")
WRK = shutil.which("wrk")
PYTHON = sys.executable


@dataclass
class Result:
    """One workload against one server on one database."""

    database: str
    server: str
    workload: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    vs_ceiling: float | None = None
    vs_datasette: float | None = None
    # PostgreSQL's figure over SQLite's, for the same server and workload at the same size.
    vs_sqlite: float | None = None
    # Several workers' figure over one worker's, on the same database.
    vs_one_worker: float | None = None


# The random sample of indicators, regions and periods a sweep draws from.
Axes = tuple[list[str], list[str], list[str]]


def _pinned(cores: str, command: list[str]) -> list[str]:
    return [TASKSET, "-c", cores, *command] if TASKSET else command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB."""
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _load(
    url: str,
    *,
    seconds: float,
    connections: int,
    lua: str | None = None,
    headers: dict[str, str] | None = None,
    client_core: bool = True,
) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p99 ms, errors) of a load run; wrk on core 1 unless `client_core` is
    false."""
    if WRK is None:
        return _python_load(url, seconds=seconds, connections=connections, lua=lua, headers=headers)
    command = [WRK, "-t1", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", url]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(lua)
        script.close()
        command += ["-s", script.name]
    # Beside a server on both cores no core is the client's own: it is left unpinned.
    load = _pinned("1", command) if client_core else command
    output = subprocess.run(load, capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = sum(
        int(n)
        for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: [^\n]*?):?\s+(\d+)", output)
    )
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return rps, _percentile(output, "50%"), _percentile(output, "99%"), errors


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _python_load(
    url: str, *, seconds: float, connections: int, lua: str | None, headers: dict[str, str] | None
) -> tuple[float, float, float, int]:
    """Fallback load generator: `connections` asyncio workers repeating one URL."""
    import asyncio

    latencies: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient, deadline: float) -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = await client.get(url, headers=headers)
                errors += response.status_code >= 400
            except httpx.TimeoutException:  # an error, and its wait counts in the latencies
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    async def main() -> None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(worker(client, deadline) for _ in range(connections)))

    asyncio.run(main())
    latencies.sort()
    at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return len(latencies) / seconds, at(0.5), at(0.99), errors


def _sweep_lua(
    prefix: str, indicators: list[str], regions: list[str], periods: list[str], datasette: bool
) -> str:
    """A wrk script asking for a random indicator × region × period on every request."""

    def table(values: list[str]) -> str:
        return "{" + ",".join(json.dumps(v) for v in values) + "}"

    if datasette:
        path = (
            f'"{prefix}/observation.json?_shape=array&indicator_code=" .. i .. '
            f'"&region_code=" .. r .. "&period=" .. p'
        )
    else:
        path = (
            f'"{prefix}/v1/observations?indicator=" .. i .. "&region=" .. r .. '
            '"&start=" .. p .. "&end=" .. p'
        )
    return f"""
local I = {table(indicators)}
local R = {table(regions)}
local P = {table(periods)}
math.randomseed(os.time())
request = function()
  local i = I[math.random(#I)]
  local r = R[math.random(#R)]
  local p = P[math.random(#P)]
  return wrk.format("GET", {path})
end
"""


def _api_server(database: Path | str, *, workers: int = 1, **env: str) -> Server:
    """This API on one database (a SQLite file, or a URL), started by `jinzhong serve` with
    its defaults (one JSON log line per request included, written to /dev/null here), pinned
    to core 0; with several workers, to cores 0 and 1, and ready once every worker is."""
    port = _free_port()
    command = [PYTHON, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    server = Server(
        command,
        f"http://127.0.0.1:{port}/readyz",
        env={"DATABASE_URL": url, "LOG_LEVEL": "info", **env},
        cores="0" if workers == 1 else f"0-{workers - 1}",
    )
    server.base = f"http://127.0.0.1:{port}"
    if workers > 1:
        # The first answer came from whichever worker was up first; a load begun before the
        # other is up would give every connection to the first.
        server.wait_for_workers(workers)
    return server


class Server:
    """A server process, pinned to core 0 unless other `cores` are given."""

    base = ""

    def __init__(
        self,
        command: list[str],
        health: str,
        env: dict[str, str] | None = None,
        cores: str = "0",
    ) -> None:
        started = time.monotonic()
        self.health = health
        self.process = subprocess.Popen(
            _pinned(cores, command),
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(health)
        self.cold_start = time.monotonic() - started

    def wait_for_workers(self, count: int, timeout: float = 120) -> None:
        """Wait until the process has `count` workers (uvicorn spawns them with
        multiprocessing, beside a resource tracker that is not one) and none of them uses
        the CPU for half a second: all started and waiting for requests."""
        started, before = time.monotonic(), None
        while time.monotonic() - started < timeout:
            busy = {}
            for pid, fields in _process_tree(self.process.pid).items():
                try:
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        busy[pid] = int(fields[11]) + int(fields[12])  # utime, stime
                except OSError:  # gone meanwhile
                    continue
            if len(busy) >= count and busy == before:
                return
            before = busy
            time.sleep(0.5)
        raise RuntimeError(f"{count} workers were not all up within {timeout} s")

    def rss_by_process(self) -> list[tuple[float, float]]:
        """(current, peak) resident memory in MB of the process, then of each descendant."""
        found = []
        for pid in _process_tree(self.process.pid):
            try:
                found.append(_rss_mb(pid))
            except (OSError, KeyError):  # gone meanwhile, or a zombie without memory
                continue
        return found

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory in MB of the process and its descendants, summed."""
        found = self.rss_by_process()
        return sum(now for now, _ in found), sum(most for _, most in found)

    def stop(self) -> None:
        workers = set(_process_tree(self.process.pid)) - {self.process.pid}
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # requests still queued after the load stopped
            self.process.kill()
            self.process.wait(timeout=15)
            for pid in workers:  # a killed supervisor stops none of its workers
                try:
                    if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(PYTHON.encode()):
                        os.kill(pid, signal.SIGKILL)
                except (OSError, ProcessLookupError):  # already gone
                    pass


def _prepare(name: str, observations: int | None) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.db"
    jinzhong = [PYTHON, "-m", "app.cli"]
    if path.exists():
        # Kept from an earlier run: bring its schema to the code's (the server is not ready
        # on an older one).
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
        subprocess.run([*jinzhong, "migrate"], cwd=PROJECT_ROOT, env=env, check=True)
        return path
    if observations is None:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
        subprocess.run([*jinzhong, "migrate"], cwd=PROJECT_ROOT, env=env, check=True)
        subprocess.run([*jinzhong, "seed"], cwd=PROJECT_ROOT, env=env, check=True)
    else:
        subprocess.run(
            [*jinzhong, "synth", "--observations", str(observations), "--db", str(path)],
            cwd=PROJECT_ROOT,
            check=True,
        )
    return path


def _axes(path: Path) -> Axes:
    """A random sample of the codes and periods a SQLite file's observations have, for the
    sweep: drawn once per size, so every server of that size sweeps the same sample."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT DISTINCT indicator_code, region_code, period FROM observation "
            "WHERE period NOT LIKE '%/%' ORDER BY random() LIMIT 2000"
        ).fetchall()
    return (
        sorted({r[0] for r in rows}),
        sorted({r[1] for r in rows}),
        sorted({r[2] for r in rows}),
    )


CEILING = """
import json, os
body = open(os.environ["CEILING_BODY"], "rb").read()
if os.environ.get("CEILING_HEADERS"):
    headers = [(k.encode(), v.encode()) for k, v in json.load(open(os.environ["CEILING_HEADERS"]))]
else:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
"""


def _typical(axes: Axes) -> str:
    """The request repeated: the first 20 figures of the sample's first indicator."""
    return f"/v1/observations?indicator={axes[0][0]}&limit=20"


def api_rows(
    database: str, target: Path | str, axes: Axes, *, workers: int = 1
) -> tuple[list[Result], dict[str, Any]]:
    """This API's workloads on one database (a SQLite file or a URL), labelled `database`,
    with one worker (server `jinzhong`) or several (`jinzhong-wN`): the rows, and the
    server's cold start and memory (of all its processes)."""
    label = "jinzhong" if workers == 1 else f"jinzhong-w{workers}"
    indicators, regions, periods = axes
    typical = _typical(axes)
    api = _api_server(target, workers=workers)
    base = api.base
    extras: dict[str, Any] = {"cold_start_s": round(api.cold_start, 3)}
    etag = httpx.get(base + typical).headers["etag"]
    workloads = {
        "repeated": (base + typical, None, None),
        "sweep": (base + "/", _sweep_lua("", indicators, regions, periods, False), None),
        "if-none-match": (base + typical, None, {"If-None-Match": etag}),
        "search": (base + "/v1/search?q=%E7%85%A4%E5%B1%82%E6%B0%94", None, None),
        "csv-1000": (
            base + f"/v1/observations?indicator={indicators[0]}&format=csv&limit=1000",
            None,
            None,
        ),
    }
    results: list[Result] = []
    try:
        for workload, (url, lua, headers) in workloads.items():
            rps, p50, p99, errors = _load(
                url,
                seconds=SECONDS,
                connections=CONNECTIONS,
                lua=lua,
                headers=headers,
                client_core=workers == 1,
            )
            results.append(Result(database, label, workload, rps, p50, p99, errors))
        extras["rss_after_load_mb"], extras["peak_rss_mb"] = (round(v, 1) for v in api.rss_mb())
        if workers > 1:  # the supervisor first, then its workers
            extras["rss_by_process_mb"] = [round(now, 1) for now, _ in api.rss_by_process()]
    finally:
        api.stop()
    return results, extras


def bench_database(name: str, path: Path, axes: Axes) -> tuple[list[Result], dict[str, Any]]:
    """Every server and workload on one SQLite file."""
    indicators, regions, periods = axes
    typical = _typical(axes)
    results, extras = api_rows(name, path, axes)

    # The same replayed answers without the per-request log line (LOG_LEVEL=warning): what
    # writing one JSON line per request costs where a request costs least.
    quiet = _api_server(path, LOG_LEVEL="warning")
    quiet_etag = httpx.get(quiet.base + typical).headers["etag"]  # ETags name the host
    for workload, headers in (("repeated", None), ("if-none-match", {"If-None-Match": quiet_etag})):
        rps, p50, p99, errors = _load(
            quiet.base + typical, seconds=SECONDS, connections=CONNECTIONS, headers=headers
        )
        results.append(Result(name, "jz-quiet", workload, rps, p50, p99, errors))

    # The distinct queries once more through FastAPI's own handler (FAST_READS=false): what
    # the read path compiled at start-up buys where every answer is computed.
    framework = _api_server(path, FAST_READS="false")
    try:
        rps, p50, p99, errors = _load(
            framework.base + "/",
            seconds=SECONDS,
            connections=CONNECTIONS,
            lua=_sweep_lua("", indicators, regions, periods, False),
        )
        results.append(Result(name, "jz-framework", "sweep", rps, p50, p99, errors))
    finally:
        framework.stop()

    # The ceiling sends the bytes of the typical answer as this API sends them: its status,
    # headers (but uvicorn's own date and server) and body; the request's id is one fixed
    # value. The server's cost grows with the headers it writes, so a ceiling of fewer
    # headers would measure a different answer. `ceiling-body` is the yardstick of the runs
    # before issue 15: the same body with only its type and length.
    typical_answer = httpx.get(quiet.base + typical, headers={"Accept-Encoding": "identity"})
    quiet.stop()
    body_file = OUT / "ceiling-body.json"
    body_file.write_bytes(typical_answer.content)
    headers_file = OUT / "ceiling-headers.json"
    headers_file.write_text(
        json.dumps(
            [
                [name.decode(), value.decode()]
                for name, value in typical_answer.headers.raw
                if name.lower() not in (b"date", b"server")
            ]
        )
    )
    script = OUT / "ceiling_app.py"
    script.write_text(CEILING)
    for label, said in (("ceiling", headers_file), ("ceiling-body", None)):
        ceiling = _ceiling_server(body_file, said)
        try:
            rps, p50, p99, errors = _load(
                ceiling.base + "/", seconds=SECONDS, connections=CONNECTIONS
            )
            results.append(Result(name, label, "repeated", rps, p50, p99, errors))
        finally:
            ceiling.stop()
    extras["interleaved"] = interleaved(path, typical, body_file, headers_file)

    datasette = shutil.which("datasette", path=str(Path(PYTHON).parent))
    if datasette:
        ds_port = _free_port()
        server = Server(
            [
                datasette,
                "serve",
                "-i",
                str(path),
                "--port",
                str(ds_port),
                "--setting",
                "num_sql_threads",
                "3",
            ],
            f"http://127.0.0.1:{ds_port}/-/versions.json",
        )
        db = f"/{path.stem}"
        ds = f"http://127.0.0.1:{ds_port}"
        equivalent = (
            f"{ds}{db}/observation.json?_shape=array&indicator_code={indicators[0]}&_size=20"
        )
        for workload, url, lua in (
            ("repeated", equivalent, None),
            ("sweep", ds + "/", _sweep_lua(db, indicators, regions, periods, True)),
        ):
            rps, p50, p99, errors = _load(url, seconds=SECONDS, connections=CONNECTIONS, lua=lua)
            results.append(Result(name, "datasette", workload, rps, p50, p99, errors))
        server.stop()
    return results, extras


def _ceiling_server(body_file: Path, headers_file: Path | None) -> Server:
    """The ceiling app under uvicorn (httptools, uvloop), sending the body in `body_file`
    with the headers in `headers_file` (else only its type and length)."""
    port = _free_port()
    server = Server(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "ceiling_app:app",
            "--app-dir",
            str(OUT),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--http",
            "httptools",
            "--loop",
            "uvloop",
        ],
        f"http://127.0.0.1:{port}/",
        env={"CEILING_BODY": str(body_file), "CEILING_HEADERS": str(headers_file or "")},
    )
    server.base = f"http://127.0.0.1:{port}"
    return server


def interleaved(path: Path, typical: str, body_file: Path, headers_file: Path) -> dict[str, Any]:
    """The replayed answers and the ceiling in interleaved rounds: this API (log on, and
    quiet) and the ceiling all started, then ROUNDS rounds of ROUND_SECONDS per row, every
    row once a round, so that a slow spell of the machine falls on all of them rather than
    on whichever row ran then. The rows in sequence (above) are each at the mercy of their
    own 15 s."""
    servers = {
        "jinzhong": _api_server(path),
        "jz-quiet": _api_server(path, LOG_LEVEL="warning"),
        "ceiling": _ceiling_server(body_file, headers_file),
    }
    try:
        ceiling = servers["ceiling"].base + "/"
        rows: dict[str, tuple[str, dict[str, str] | None]] = {"ceiling repeated": (ceiling, None)}
        for label in ("jinzhong", "jz-quiet"):
            url = servers[label].base + typical
            etag = httpx.get(url).headers["etag"]  # ETags name the host
            rows[f"{label} repeated"] = (url, None)
            rows[f"{label} if-none-match"] = (url, {"If-None-Match": etag})
        rounds: dict[str, list[float]] = {row: [] for row in rows}
        for _ in range(ROUNDS):
            for row, (url, headers) in rows.items():
                rps, *_ = _load(
                    url, seconds=ROUND_SECONDS, connections=CONNECTIONS, headers=headers
                )
                rounds[row].append(rps)
    finally:
        for server in servers.values():
            server.stop()
    return _rounds_report(rounds, "ceiling repeated", "ceiling")


def round_ratios(
    rounds: dict[str, list[float]], yardstick: str = "ceiling repeated", against: str = "ceiling"
) -> dict[str, Any]:
    """Each row's req/s per round, their median, its ratio to the yardstick's median
    (`vs_<against>`), and the median of the row's ratio to the yardstick round by round
    (`vs_<against>_by_round`)."""
    ruler = rounds[yardstick]
    ratio = f"vs_{against}"
    return {
        row: {
            "req_s": [round(x) for x in found],
            "median": round(statistics.median(found)),
            ratio: round(statistics.median(found) / statistics.median(ruler), 3),
            f"{ratio}_by_round": round(
                statistics.median(x / y for x, y in zip(found, ruler, strict=True)), 3
            ),
        }
        for row, found in rounds.items()
    }


def _rounds_report(rounds: dict[str, list[float]], yardstick: str, against: str) -> dict[str, Any]:
    """Interleaved rounds as the bench reports them: how many, how long, and each row's
    figures against `yardstick` (`round_ratios`)."""
    return {
        "rounds": ROUNDS,
        "seconds": ROUND_SECONDS,
        "against": against,
        **round_ratios(rounds, yardstick=yardstick, against=against),
    }


def interleaved_sweep(path: Path, url: str, axes: Axes) -> dict[str, Any]:
    """The sweep on SQLite (`path`) and on PostgreSQL (`url`, the same rows) in interleaved
    rounds, as `interleaved` does for the replayed answers: both servers up, each swept once
    a round, so PostgreSQL's ratio to SQLite does not depend on which of its 15 s rows met a
    slow spell of the machine."""
    servers = {"sqlite": _api_server(path), "postgresql": _api_server(url)}
    try:
        lua = _sweep_lua("", *axes, False)
        rounds: dict[str, list[float]] = {f"{label} sweep": [] for label in servers}
        for server in servers.values():  # warmed: connections opened, pages read in
            _load(server.base + "/", seconds=ROUND_SECONDS, connections=CONNECTIONS, lua=lua)
        for _ in range(ROUNDS):
            for label, server in servers.items():
                rps, *_ = _load(
                    server.base + "/", seconds=ROUND_SECONDS, connections=CONNECTIONS, lua=lua
                )
                rounds[f"{label} sweep"].append(rps)
    finally:
        for server in servers.values():
            server.stop()
    return _rounds_report(rounds, "sqlite sweep", "sqlite")


def postgres_problem() -> str | None:
    """Why the PostgreSQL rows cannot be measured, or None if BENCH_POSTGRES_URL answers."""
    return postgres_unreachable(POSTGRES_URL)


@contextmanager
def postgres_database(purpose: str) -> Iterator[str]:
    """A new database of the bench's own on the BENCH_POSTGRES_URL server (its URL), dropped
    afterwards whatever happens."""
    name = f"jinzhong_bench_{purpose}_{os.getpid()}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_rows(
    name: str, path: Path, observations: int | None, axes: Axes
) -> tuple[list[Result], dict[str, Any]]:
    """This API's workloads on PostgreSQL, holding what the SQLite file `path` holds: the
    seed by the project's commands, a synthetic size by a copy of the file's rows; with the
    workers part, also with several workers at a synthetic size."""
    database = PG + name
    jinzhong = [PYTHON, "-m", "app.cli"]
    with postgres_database("synthetic" if observations else "seed") as url:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run([*jinzhong, "migrate"], cwd=PROJECT_ROOT, env=env, check=True)
        copied: dict[str, Any] = {}
        if observations is None:
            subprocess.run([*jinzhong, "seed"], cwd=PROJECT_ROOT, env=env, check=True)
        else:
            started = time.monotonic()
            source, target = create_engine(f"sqlite:///{path}"), create_engine(url)
            try:
                rows = copy_rows(source, target)
            finally:
                source.dispose()
                target.dispose()
            copied = {"copy_s": round(time.monotonic() - started, 1), "rows_copied": rows}
        results, extras = api_rows(database, url, axes)
        extras.update(copied)
        if observations:
            extras["interleaved_sweep"] = interleaved_sweep(path, url, axes)
        if observations and "workers" in PARTS:
            scaled, extras[SCALED] = api_rows(database, url, axes, workers=SCALED_WORKERS)
            results += scaled
    return results, extras


def ratios(results: list[Result]) -> None:
    """Set each row's ratios from the rows beside it: to the ceiling and to Datasette of the
    same size (both measured on SQLite), to SQLite for a PostgreSQL row, and to one worker
    for a row of several."""
    rps = {(r.database, r.server, r.workload): r.requests_per_second for r in results}
    for result in results:
        size = result.database.removeprefix(PG)
        if ceiling := rps.get((size, "ceiling", "repeated")):
            result.vs_ceiling = round(result.requests_per_second / ceiling, 3)
        if datasette := rps.get((size, "datasette", result.workload)):
            result.vs_datasette = round(result.requests_per_second / datasette, 2)
        if size != result.database and (sqlite := rps.get((size, result.server, result.workload))):
            result.vs_sqlite = round(result.requests_per_second / sqlite, 2)
        if result.server.startswith("jinzhong-w") and (
            one := rps.get((result.database, "jinzhong", result.workload))
        ):
            result.vs_one_worker = round(result.requests_per_second / one, 2)


def soak(path: Path) -> dict[str, Any]:
    """SOAK_SECONDS at 64 connections on the sweep: errors, and RSS growth once warm.

    Warm means the bounded caches are full: each pooled SQLite connection's page cache
    (2 MB), the response memory (SOAK_CACHE_MB). A sweep of random pages of a 500 MB file
    fills them over a minute or two (RSS rose 107 → 124 MB in 90 s, then 125 at 150 s, the
    code before and after the same), so a fixed 20 s warm-up left part of that fill to be
    counted as growth. The warm-up goes on, 10 s at a time, until a step adds under 1%
    (at most SOAK_WARM_UP_STEPS steps); what the soak adds after that is what a leak
    would."""
    indicators, regions, periods = _axes(path)
    api = _api_server(path, RESPONSE_CACHE_MB=SOAK_CACHE_MB)
    base = api.base
    lua = _sweep_lua("", indicators, regions, periods, False)
    warm_up = [_rss_mb(api.process.pid)[0]]
    for _ in range(SOAK_WARM_UP_STEPS):
        _load(base + "/", seconds=10, connections=64, lua=lua)
        warm_up.append(_rss_mb(api.process.pid)[0])
        if warm_up[-1] < warm_up[-2] * 1.01:
            break
    before = warm_up[-1]
    rps, _, p99, errors = _load(
        base + "/",
        seconds=SOAK_SECONDS,
        connections=64,
        lua=lua,
    )
    after, peak = _rss_mb(api.process.pid)
    api.stop()
    return {
        "seconds": SOAK_SECONDS,
        "connections": 64,
        "requests_per_second": round(rps),
        "p99_ms": round(p99, 2),
        "errors": errors,
        "warm_up_rss_mb": [round(rss, 1) for rss in warm_up],
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_pct": round(100 * (after - before) / before, 1),
        "peak_rss_mb": round(peak, 1),
    }


def _writable(database_url: str) -> str:
    """Migrate and seed a fresh database and return a new write key for it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    jinzhong = [PYTHON, "-m", "app.cli"]
    for step in (["migrate"], ["seed"]):
        subprocess.run([*jinzhong, *step], cwd=PROJECT_ROOT, env=env, check=True)
    created = subprocess.run(
        [*jinzhong, "keys", "create", "--name", "bench", "--scope", "write"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip()


def _probe(base: str) -> dict[str, float]:
    """Uncached reads at CONNECTIONS, then each health answer alone at one connection."""
    figures: dict[str, float] = {}
    rps, _, p99, errors = _load(base + UNCACHED_READ, seconds=SECONDS, connections=CONNECTIONS)
    figures.update(reads_per_second=round(rps), read_p99_ms=round(p99, 2), read_errors=errors)
    for name, path in (("healthz", "/healthz"), ("readyz", "/readyz")):
        _, p50, p99, errors = _load(base + path, seconds=SECONDS / 3, connections=1)
        figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"] = round(p50, 2), round(p99, 2)
        figures[f"{name}_errors"] = errors
    return figures


def under_writers(database_url: str, key: str) -> dict[str, Any]:
    """Health answers and uncached reads without writers, then with WRITERS writing one
    record back to back (each write waits for the one before: the seed lock)."""
    api = _api_server(database_url, RESPONSE_CACHE_MB="0")
    alone = _probe(api.base)
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    counting = threading.Lock()

    def writer(n: int) -> None:
        headers = {"Authorization": f"Bearer {key}", "If-Match": "*"}
        with httpx.Client(base_url=api.base, timeout=300) as http:
            for i in range(1_000_000):
                if stop.is_set():
                    return
                response = http.patch(WRITTEN, json={"note": f"writer {n}, {i}"}, headers=headers)
                with counting:
                    statuses[response.status_code] += 1

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in writers:
        thread.start()
    try:
        time.sleep(2)  # every writer has sent its first write: the queue is full
        started, written = time.monotonic(), statuses[200]
        busy = _probe(api.base)
        writes_per_second = (statuses[200] - written) / (time.monotonic() - started)
    finally:
        stop.set()
        for thread in writers:
            thread.join()
        api.stop()
    return {
        "writers": WRITERS,
        "without_writers": alone,
        "with_writers": busy,
        "reads_kept": round(busy["reads_per_second"] / alone["reads_per_second"], 2),
        "writes_per_second": round(writes_per_second, 2),
        "write_statuses": {str(code): count for code, count in sorted(statuses.items())},
    }


def writers_part() -> dict[str, Any]:
    """`under_writers` on a fresh SQLite file, and on PostgreSQL when BENCH_POSTGRES_URL
    answers; the bench process (writers and load) runs on core 1, away from the server."""
    if hasattr(os, "sched_setaffinity") and TASKSET:
        os.sched_setaffinity(0, {1})
    found: dict[str, Any] = {}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "writers.db"
    for leftover in OUT.glob("writers.db*"):  # the writes of an earlier run
        leftover.unlink()
    found["sqlite"] = under_writers(f"sqlite:///{path}", _writable(f"sqlite:///{path}"))
    if (problem := postgres_problem()) is not None:
        print(f"writers: PostgreSQL skipped: {problem}")
        return found
    with postgres_database("writers") as url:
        found["postgresql"] = under_writers(url, _writable(url))
    return found


def versions_part() -> dict[str, Any]:
    """On a copy of the million-observation database, uncached: PATCH of one observation
    (one at a time, client-side latency), its /record and /history against the plain read of
    it, and an as_of list against the same list without as_of."""
    if hasattr(os, "sched_setaffinity") and TASKSET:
        os.sched_setaffinity(0, {1})
    source = _prepare(f"synthetic-{SYNTHETIC}", SYNTHETIC)
    path = OUT / "versions.db"
    for leftover in OUT.glob("versions.db*"):
        leftover.unlink()
    shutil.copyfile(source, path)
    url = f"sqlite:///{path}"
    created = subprocess.run(
        [PYTHON, "-m", "app.cli", "keys", "create", "--name", "bench", "--scope", "write"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    headers = {"Authorization": f"Bearer {created.stdout.strip()}", "If-Match": "*"}
    api = _api_server(path, RESPONSE_CACHE_MB="0")
    found: dict[str, Any] = {"observations": SYNTHETIC}
    try:
        latencies = []
        with httpx.Client(base_url=api.base, timeout=60) as http:
            for i in range(PATCHES):
                started = time.perf_counter()
                response = http.patch(WRITTEN, json={"note": f"bench {i}"}, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"PATCH {WRITTEN}: {response.status_code} {response.text}")
        latencies.sort()
        found["patch"] = {
            "count": PATCHES,
            "p50_ms": round(latencies[len(latencies) // 2], 2),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        }
        listed = "/v1/observations?indicator=synth_0001&region=140702"
        workloads = {
            "read": WRITTEN,
            "record": f"{WRITTEN}/record",
            "history": f"{WRITTEN}/history",
            "list": listed,
            "list_as_of": f"{listed}&as_of=2026-01-01T00:00:00Z",
        }
        for name, target in workloads.items():
            rps, p50, p99, errors = _load(
                api.base + target, seconds=SECONDS, connections=CONNECTIONS
            )
            found[name] = {
                "requests_per_second": round(rps),
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "errors": errors,
            }
    finally:
        api.stop()
    found["record_vs_read"] = round(
        found["record"]["requests_per_second"] / found["read"]["requests_per_second"], 2
    )
    found["history_vs_read"] = round(
        found["history"]["requests_per_second"] / found["read"]["requests_per_second"], 2
    )
    found["as_of_vs_list"] = round(
        found["list_as_of"]["requests_per_second"] / found["list"]["requests_per_second"], 2
    )
    return found


def restart_part() -> dict[str, Any]:
    """A second `make run` on an up-to-date database: from the command to the first 200 from
    /readyz (make, migrate, seed and serve, as a developer restarts), the median of
    BENCH_RESTARTS runs. On a SQLite file of its own under var/bench/ (DATABASE_URL), so the
    developer's database is never touched; a first run creates it."""
    make = shutil.which("make")
    if make is None:
        return {"skipped": "make is not installed"}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "restart.db"
    for leftover in OUT.glob("restart.db*"):
        leftover.unlink()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    first, _ = time_make_run(make, PROJECT_ROOT, env)
    runs = [time_make_run(make, PROJECT_ROOT, env) for _ in range(RESTARTS)]
    return {
        "first_run_s": round(first, 3),
        "restarts_s": [round(wall, 3) for wall, _ in runs],
        "restart_median_s": round(sorted(wall for wall, _ in runs)[len(runs) // 2], 3),
        # CPU seconds spent to the first 200 by make and everything it ran: on a machine
        # shared with other work, the figure the wall time would be on a quiet one.
        "restart_cpu_median_s": round(sorted(cpu for _, cpu in runs)[len(runs) // 2], 3),
    }


def time_make_run(make: str, root: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, CPU seconds) from `make run` in `root` to its first 200 from /readyz; then
    stop it."""
    port = _free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [make, "-s", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # make and the server it starts, stopped together below
    )
    try:
        _wait(f"http://127.0.0.1:{port}/readyz", timeout=300)
        return time.monotonic() - started, _tree_cpu_seconds(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _tree_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its descendants, the live ones and those
    already done (counted in their parents' cutime and cstime), from /proc."""
    ticks = sum(
        int(n)
        for fields in _process_tree(pid).values()
        for n in fields[11:15]  # utime, stime, cutime, cstime
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> dict[int, list[str]]:
    """A live process and its descendants: each one's /proc stat fields after the command."""
    stats: dict[int, list[str]] = {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The fields after the command's closing parenthesis: state, ppid, ...
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree: dict[int, list[str]] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            tree[current] = stats[current]
        todo += children.get(current, [])
    return tree


def _print_writers(found: dict[str, Any]) -> None:
    print(
        f"\n{WRITERS} writers, uncached reads ({UNCACHED_READ}) at {CONNECTIONS} connections, "
        "health at 1:"
    )
    header = (
        f"{'database':<11} {'writers':>7} {'reads/s':>8} {'read p99':>8} {'healthz p99':>11} "
        f"{'readyz p99':>10} {'writes/s':>8}"
    )
    print(header)
    print("-" * len(header))
    for backend, run in found.items():
        for writers, figures, rate in (
            (0, run["without_writers"], 0.0),
            (run["writers"], run["with_writers"], run["writes_per_second"]),
        ):
            print(
                f"{backend:<11} {writers:>7} {figures['reads_per_second']:>8} "
                f"{figures['read_p99_ms']:>8.2f} {figures['healthz_p99_ms']:>11.2f} "
                f"{figures['readyz_p99_ms']:>10.2f} {rate:>8.2f}"
            )
        print(f"{backend}: reads kept {run['reads_kept']:.0%}, writes {run['write_statuses']}")


# Distinct sweep requests timed at each layer by the layers part.
LAYER_REQUESTS = int(os.environ.get("BENCH_LAYER_REQUESTS", "2000"))
LAYER_WARM_UP = 200


def layers_part(path: Path) -> dict[str, Any]:
    """Where a sweep request's time goes, layer by layer: `measure_layers` in a process of
    its own on the SQLite file `path`, pinned to core 0 like the servers."""
    completed = subprocess.run(
        _pinned("0", [PYTHON, "-m", "app.bench", "layers", str(path)]),
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}", "LOG_LEVEL": "info"},
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return found


def measure_layers(path: Path) -> dict[str, Any]:
    """CPU per sweep request (µs, all threads) entering the app at each layer, in one
    process, one request at a time, no network: the app as `jinzhong serve` builds it
    (its request log on, written to a queue here), from its front door down to the
    statements alone. Every layer gets fresh random requests (never asked before, as in a
    sweep), after a warm-up; each is timed in three rounds, and the median kept. What the
    load adds on top (uvicorn, the sockets, 32 connections' turns) is the difference to the
    sweep's own CPU per request."""
    import asyncio
    import random
    import sqlite3

    from sqlalchemy import event
    from sqlmodel import Session

    from app.api import compiled
    from app.api.runtime import runtime_of
    from app.main import JinzhongAPI, create_app
    from app.services.observations import ObservationFilter, list_observations

    app = create_app()
    route = next(r for r in app.router.routes if getattr(r, "path", "") == "/v1/observations")
    engine = runtime_of(app).engine
    indicators, regions, periods = _axes(path)
    draw = random.Random(15)

    def queries(n: int) -> list[tuple[str, str, str]]:
        return [
            (draw.choice(indicators), draw.choice(regions), draw.choice(periods)) for _ in range(n)
        ]

    def scope(query: tuple[str, str, str], **more: Any) -> dict[str, Any]:
        i, r, p = query
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v1/observations",
            "raw_path": b"/v1/observations",
            "query_string": f"indicator={i}&region={r}&start={p}&end={p}".encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench")],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            **more,
        }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: Counter[int] = Counter()

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] += 1

    async def inline(function: Any, *args: Any) -> Any:
        return function(*args)

    if not isinstance(app, JinzhongAPI) or app.front_door is None:
        raise TypeError("create_app no longer builds a front door: measure_layers needs one")
    below = app.front_door.app

    async def whole(query: tuple[str, str, str]) -> None:
        await app(scope(query), receive, send)

    async def below_door(query: tuple[str, str, str]) -> None:
        await below(scope(query, app=app), receive, send)

    async def the_route(query: tuple[str, str, str]) -> None:
        await route.handle(scope(query, app=app, path_params={}, route=route), receive, send)

    async def route_inline(query: tuple[str, str, str]) -> None:
        hop = compiled.run_in_threadpool
        compiled.run_in_threadpool = inline  # type: ignore[assignment]
        try:
            await the_route(query)
        finally:
            compiled.run_in_threadpool = hop

    async def service(query: tuple[str, str, str]) -> None:
        i, r, p = query
        flt = ObservationFilter(indicators=[i], regions=[r], start=p, end=p)
        with Session(engine) as session:
            list_observations(session, flt, limit=50, offset=0)

    said: list[tuple[str, Any]] = []

    def keep(connection: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        said.append((statement, params))

    # The statements a service call makes, read again by the driver alone.
    raw = sqlite3.connect(path)

    async def statements(said_for_one: list[tuple[str, Any]]) -> None:
        for statement, params in said_for_one:
            raw.execute(statement, params).fetchall()

    layers: dict[str, Any] = {
        "whole app (front door to endpoint)": whole,
        "below the front door (CORS, gzip, errors, router)": below_door,
        "the route (ETag, compiled plan, thread hop, endpoint)": the_route,
        "the same, the endpoint run in the event loop": route_inline,
        "the service (session, statements, records)": service,
        "the statements alone (sqlite3)": statements,
    }

    async def timed(layer: str, n: int) -> float:
        asked: list[Any] = queries(n)
        if layers[layer] is statements:  # what the service says for each, untimed
            event.listen(engine, "before_cursor_execute", keep)
            try:
                for index, query in enumerate(asked):
                    said.clear()
                    await service(query)
                    asked[index] = list(said)
            finally:
                event.remove(engine, "before_cursor_execute", keep)
        started = time.process_time()
        for one in asked:
            await layers[layer](one)
        return (time.process_time() - started) / n * 1e6

    async def run() -> dict[str, Any]:
        async with app.router.lifespan_context(app):
            for layer in layers:
                await timed(layer, LAYER_WARM_UP)
            rounds: dict[str, list[float]] = {layer: [] for layer in layers}
            for _ in range(3):
                for layer in layers:
                    rounds[layer].append(await timed(layer, LAYER_REQUESTS))
        return {
            "requests": LAYER_REQUESTS,
            "statuses": dict(statuses),
            "cpu_us": {layer: round(statistics.median(found)) for layer, found in rounds.items()},
        }

    try:
        return asyncio.run(run())
    finally:
        raw.close()


def _print_layers(extras: dict[str, Any]) -> None:
    layers = extras.get("layers")
    if not layers:
        return
    print(
        f"layers: CPU per distinct sweep request at a million, in one process, one at a time "
        f"(µs, medians of 3 rounds of {layers['requests']})"
    )
    for layer, cpu in layers["cpu_us"].items():
        print(f"  {layer:<56} {cpu:>6}")


def _print_interleaved(extras: dict[str, Any]) -> None:
    for database, found in extras.items():
        for part in ("interleaved", "interleaved_sweep"):
            rounds = found.get(part) if isinstance(found, dict) else None
            if not rounds:
                continue
            against = rounds["against"]
            print(
                f"{database}: interleaved, {rounds['rounds']} rounds of {rounds['seconds']:g} "
                f"s (median req/s; ÷{against} of the medians; median of ÷{against} round by "
                "round)"
            )
            for row, figures in rounds.items():
                if isinstance(figures, dict):
                    print(
                        f"  {row:<26} {figures['median']:>7} "
                        f"{figures[f'vs_{against}']:>6.2f} "
                        f"{figures[f'vs_{against}_by_round']:>6.2f}"
                    )


def _shown(ratio: float | None, width: int) -> str:
    """A ratio as the table prints it: two decimals, or a dash where there is none."""
    return f"{'-':>{width}}" if ratio is None else f"{ratio:>{width}.2f}"


def main() -> None:
    """Run everything, print the table, write the JSON."""
    machine = {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "wrk": bool(WRK),
        "taskset": bool(TASKSET),
        "platform": os.uname().machine,
    }
    results: list[Result] = []
    extras: dict[str, Any] = {}
    postgres = "postgres" in PARTS
    if postgres and (problem := postgres_problem()) is not None:
        print(f"postgres: skipped: {problem}")
        extras["postgres"] = {"skipped": problem}
        postgres = False
    for name, observations in (("seed", None), (f"synthetic-{SYNTHETIC}", SYNTHETIC)):
        readers = {"tables"} | ({"postgres"} if postgres else set())
        readers |= {"soak", "workers", "layers"} if observations else set()
        if not PARTS & readers:
            continue  # no part reads this database
        path = _prepare(name, observations)
        axes = _axes(path)  # one sample for every server of this size
        if "tables" in PARTS:
            found, extras[name] = bench_database(name, path, axes)
            results += found
        if observations and "workers" in PARTS:
            found, extras.setdefault(name, {})[SCALED] = api_rows(
                name, path, axes, workers=SCALED_WORKERS
            )
            results += found
        if postgres:
            found, extras[PG + name] = postgres_rows(name, path, observations, axes)
            results += found
    ratios(results)
    if "layers" in PARTS:
        extras["layers"] = layers_part(OUT / f"synthetic-{SYNTHETIC}.db")
    if "soak" in PARTS:
        extras["soak"] = soak(OUT / f"synthetic-{SYNTHETIC}.db")
    if "writers" in PARTS:
        extras["writers"] = writers_part()
    if "versions" in PARTS:
        extras["versions"] = versions_part()
    if "restart" in PARTS:
        extras["restart"] = restart_part()
    columns = (
        "database",
        "server",
        "workload",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "÷ceiling",
        "÷datasette",
        "÷sqlite",
        "÷1 worker",
    )
    widths = (20, 11, 14, 9, 8, 8, 6, 8, 10, 7, 9)
    header = " ".join(
        f"{c:<{w}}" if i < 3 else f"{c:>{w}}"
        for i, (c, w) in enumerate(zip(columns, widths, strict=True))
    )
    if results:
        print(header)
        print("-" * len(header))
    for r in results:
        print(
            f"{r.database:<20} {r.server:<11} {r.workload:<14} {r.requests_per_second:>9.0f} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>6} {_shown(r.vs_ceiling, 8)} "
            f"{_shown(r.vs_datasette, 10)} {_shown(r.vs_sqlite, 7)} {_shown(r.vs_one_worker, 9)}"
        )
    _print_interleaved(extras)
    _print_layers(extras)
    print(json.dumps({k: v for k, v in extras.items() if k != "writers"}, indent=2))
    if "writers" in extras:
        _print_writers(extras["writers"])
    if "restart_median_s" in extras.get("restart", {}):
        print(
            "restart: second `make run` on an up-to-date database, time to first 200: "
            f"{extras['restart']['restart_median_s']:.2f} s, "
            f"{extras['restart']['restart_cpu_median_s']:.2f} s of CPU (medians of {RESTARTS})"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "machine": machine,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "results": [asdict(r) for r in results],
        **extras,
    }
    (OUT / f"results-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"written: var/bench/results-{stamp}.json")


if __name__ == "__main__":
    if sys.argv[1:2] == ["layers"]:  # the layers part's own process
        print(json.dumps(measure_layers(Path(sys.argv[2]))))
    else:
        main()
