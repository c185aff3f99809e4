"""Every console example in README.md and docs/*.md runs against a live server and prints what
it shows, so the documentation cannot go stale.

The convention (also in docs/development.md, "Examples that run"):

- A ```console block is executed. A line starting with `$ ` is a command; it continues on the
  next line when it ends with a backslash, and a here-document (`<<'EOF'`) runs to its end
  word. The lines after a command, up to the next `$ `, are its expected output.
- In an expected output, a line holding only `...` (indented or not) stands for any number of
  lines, none included; `...` inside a line stands for any text on that line. Nothing else is
  elided: a line shown is a line printed.
- The commands of one block run in one bash, in order, so a variable set by one is seen by the
  next; stderr is shown with stdout.
- Every other block is not executed: ```sh blocks are instructions to type (`make run`,
  `docker run`...), ```text, ```json, ```python and unlabelled blocks are quoted text (a
  licence, a log line's shape, the bench's measured tables in docs/performance.md). None of
  them may hold a prompt (`$ ` or `>>> `): whatever shows output is a console block and runs.

How the examples run: one `jinzhong serve` over a database of this module's own (migrated and
seeded like every test database), since docs/curating.md's examples write; that file runs
last. `127.0.0.1:8000` in a command is rewritten to that server. Commands run in a fresh
folder holding a copy of `seed_data/`, with the venv's `bin/` first on PATH (`jinzhong`,
`python3`) and DATABASE_URL naming the server's database, as after `make run`.

`UPDATE_EXAMPLES=1` rewrites, in place, the shown output of every example that differs with
what it printed (port mapped back, nothing else normalized, elisions of that example lost):
review the diff, then abridge again by hand where the output is long.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from tests.support.databases import Databases
from tests.support.seed import SEED_DIR
from tests.support.server import Served

DOCUMENTED_BASE = "127.0.0.1:8000"
# Runs last: its examples write (a key, a patch) and would change what later examples read.
WRITES_LAST = "docs/curating.md"
ELIDED_LINE = "..."
# How a path on the machine that runs the examples is shown.
CLONE = "~/jinzhong-indicators"
# Programs the examples use beside the venv's, from the system's packages.
TOOLS = ["curl", "jq", "node"]

# Volatile parts of an output, replaced by a name on both sides before comparing, so a shown
# output may keep the real-looking value it was copied with. Each says why it varies.
NORMALIZATIONS: list[tuple[str, re.Pattern[str], str]] = [
    # ETags hash the code's build and the data version: every commit and seed changes them.
    ("etag", re.compile(r'(W/)?"[0-9a-f]{16}-[0-9a-f]{20}"|"[0-9a-f]{32}"'), "<etag>"),
    # The data version is the seed's content hash (whole or shortened): every edit of
    # seed_data/ changes it.
    (
        "data version",
        re.compile(
            r'(?<=data_version":")[0-9a-f]{16}|(?<=version=")[0-9a-f]{16}|(?<=seeded )[0-9a-f]{12}'
        ),
        "<data-version>",
    ),
    # Last-Modified and Date are when the data or code last changed, or now.
    (
        "http date",
        re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT"),
        "<http-date>",
    ),
    # Moments of a write made while the examples run (a version's `at`, a log line's time).
    ("now", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00"), "<now>"),
    # When the data last changed, as a Unix time (/metrics).
    ("timestamp", re.compile(r"(?<=jinzhong_data_changed_timestamp_seconds )\S+"), "<timestamp>"),
    # A request id is made for every request that does not bring one.
    ("request id", re.compile(r"(?<=x-request-id: )[0-9a-f]{32}"), "<request-id>"),
    # JSON-stat's `updated` is when the data last changed: when the database was seeded.
    ("updated", re.compile(r'(?<="updated":")[0-9T:+-]{25}'), "<updated>"),
    # An API key is random, printed once.
    ("key", re.compile(r"jzk_[0-9a-f]{8}_[A-Za-z0-9_-]+"), "<key>"),
]


@dataclass
class Example:
    """One command of a console block and the output shown after it."""

    command: str
    expected: list[str]
    line: int


@dataclass
class Block:
    """A fenced console block of a documentation file."""

    path: Path
    line: int
    text: str
    examples: list[Example] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(PROJECT_ROOT)}:{self.line}"


FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\S*)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)


def documentation_files() -> list[Path]:
    """README.md, then docs/*.md by name, the file that writes last."""
    files = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return sorted(files, key=lambda p: str(p.relative_to(PROJECT_ROOT)) == WRITES_LAST)


def fences(path: Path) -> Iterator[tuple[str, int, str]]:
    """Each fenced block of a file: its language, the line its body starts on, its body."""
    text = path.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("body")) + 1
        yield match.group("lang"), line, match.group("body")


def parse_console(path: Path, line: int, body: str) -> Block:
    """The commands of a console block and the output shown after each."""
    block = Block(path, line, body)
    lines = body.rstrip("\n").split("\n")
    at = 0
    while at < len(lines):
        if not lines[at].startswith("$ "):
            raise AssertionError(f"{block.name}: output before any command: {lines[at]!r}")
        start = at
        command = [lines[at][2:]]
        heredoc = re.search(r"<<-?'?(\w+)'?", lines[at])
        while command[-1].endswith("\\") and at + 1 < len(lines):
            at += 1
            command.append(lines[at])
        if heredoc:
            while at + 1 < len(lines) and lines[at].strip() != heredoc.group(1):
                at += 1
                command.append(lines[at])
        at += 1
        expected = []
        while at < len(lines) and not lines[at].startswith("$ "):
            expected.append(lines[at])
            at += 1
        while expected and not expected[-1].strip():
            expected.pop()
        block.examples.append(Example("\n".join(command), expected, line + start))
    return block


def console_blocks() -> list[Block]:
    """Every console block of the documentation, in the order they run."""
    return [
        parse_console(path, line, body)
        for path in documentation_files()
        for lang, line, body in fences(path)
        if lang == "console"
    ]


def normalize(lines: list[str]) -> list[str]:
    """Lines with their volatile parts named and trailing spaces (column padding) removed."""
    text = "\n".join(lines)
    for _, pattern, name in NORMALIZATIONS:
        text = pattern.sub(name, text)
    return [line.rstrip() for line in text.split("\n")]


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the output shown, with its elisions, is what was printed."""
    pattern = ""
    for line in expected:
        if line.strip() == ELIDED_LINE:
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*?".join(re.escape(part) for part in line.split(ELIDED_LINE)) + r"\n"
    return re.fullmatch(pattern, "\n".join(actual) + "\n") is not None


MARK = "@@example-{}@@"


def run_block(block: Block, base: str, workdir: Path, database_url: str) -> list[list[str]]:
    """Run a block's commands in one bash; what each printed, the server's port mapped back."""
    script = ["exec 2>&1"]
    for number, example in enumerate(block.examples):
        script.append(f"printf '\\n{MARK.format(number)}\\n'")
        script.append(example.command.replace(DOCUMENTED_BASE, base.removeprefix("http://")))
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "warning",
    }
    result = subprocess.run(
        ["bash", "-c", "\n".join(script) + "\n"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    printed = result.stdout.replace(base.removeprefix("http://"), DOCUMENTED_BASE)
    # The clone, and the folder the commands run in, wherever they are on this machine.
    for folder in [workdir, PROJECT_ROOT]:
        printed = printed.replace(str(folder), CLONE)
    chunks = re.split(r"\n@@example-\d+@@\n", printed)[1:]
    assert len(chunks) == len(block.examples), printed
    return [chunk.rstrip("\n").split("\n") if chunk.strip() else [] for chunk in chunks]


def update_block(block: Block, outputs: list[list[str]]) -> None:
    """Write the outputs printed in place of those shown (UPDATE_EXAMPLES=1)."""
    lines = []
    for example, printed in zip(block.examples, outputs, strict=True):
        lines.append("$ " + example.command)
        keep = matches(normalize(example.expected), normalize(printed))
        shown = example.expected if keep else printed
        lines.extend([*shown, ""] if shown else [])
    new_body = "\n".join(lines).rstrip("\n") + "\n"
    text = block.path.read_text(encoding="utf-8")
    assert block.text in text, block.name
    block.path.write_text(text.replace(block.text, new_body, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def examples_server(
    seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A server of the examples' own over a seeded database of their own: its URL and DB URL."""
    databases = Databases(tmp_path_factory.mktemp("examples-db"))
    url = databases.copy(seeded_template, "examples")
    server = Served({"DATABASE_URL": url, "LOG_LEVEL": "warning"})
    yield server.base, url
    server.stop()
    databases.drop()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the commands run in, with a copy of seed_data/ as in a clone."""
    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(SEED_DIR, folder / "seed_data")
    return folder


BLOCKS = console_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_example_prints_what_it_shows(
    block: Block, examples_server: tuple[str, str], workdir: Path
) -> None:
    missing = [
        tool
        for tool in TOOLS
        if shutil.which(tool) is None
        and any(re.search(rf"(^|[|;&(] *){tool}\b", e.command, re.M) for e in block.examples)
    ]
    if missing:
        pytest.skip(f"the example needs {', '.join(missing)} (Debian's curl, jq, nodejs)")
    base, database_url = examples_server
    outputs = run_block(block, base, workdir, database_url)
    failures = []
    for example, printed in zip(block.examples, outputs, strict=True):
        expected, actual = normalize(example.expected), normalize(printed)
        if not matches(expected, actual):
            diff = "\n".join(
                difflib.unified_diff(expected, actual, "shown", "printed", lineterm="")
            )
            failures.append(
                f"{block.path.relative_to(PROJECT_ROOT)}:{example.line}: $ {example.command}\n{diff}"
            )
    if failures and os.environ.get("UPDATE_EXAMPLES") == "1":
        update_block(block, outputs)
    assert not failures, "\n\n".join(failures)


def test_examples_cover_every_block_that_shows_output() -> None:
    """A prompt outside a console block would be output nobody checks."""
    for path in documentation_files():
        for lang, line, body in fences(path):
            if lang == "console":
                continue
            for offset, text in enumerate(body.split("\n")):
                assert not text.lstrip().startswith(("$ ", ">>> ")), (
                    f"{path.relative_to(PROJECT_ROOT)}:{line + offset}: a prompt in a "
                    f"```{lang} block; make it a console block, which runs"
                )


def test_examples_elision_matches_lines_and_text() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert matches(['{"x": 1, ...}'], ['{"x": 1, "y": 2}'])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(['{"x": 1}'], ['{"x": 1, "y": 2}'])


def test_readme_is_short() -> None:
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"README.md has {lines} lines; move long sections into docs/"
