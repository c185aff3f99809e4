"""Serving GET reads by the path compiled at start-up (FAST_READS=true) or through FastAPI's
routing (FAST_READS=false) changes nothing a client can see: the same OpenAPI document, and
for every request of a corpus the same status, the same headers in the same order and the
same body bytes, problem answers included.

The document is compared with a committed copy, tests/data/openapi.json, with the switch on
and off; `UPDATE_SPEC=1` rewrites that copy from the running code (review the diff).

The corpus is derived from that document and from the data, not listed by hand. For every
GET operation under /v1 it asks: its path with codes that exist (read from the database),
with an unknown code and with a malformed one; each query parameter with valid values (its
enum, codes, periods and dates from the database, an integer's bounds, sort's keys) and with
invalid ones (wrong type, out of range, malformed, unknown code, empty, repeated); an unknown
parameter; languages by `lang` and by Accept-Language; formats by `format` and by Accept;
a few combinations (CSV with a BOM, every item, wide tables, an index's base, a page); HEAD,
a trailing slash, a method the path does not serve, a CORS preflight; and, after a plain
GET of each path (and of each format), the conditional requests its ETag and Last-Modified
make possible. Two apps over one seeded database answer it, both with the response memory
off (RESPONSE_CACHE_MB=0) so that every answer is computed, never replayed.

A third app, with the memory on, is asked each GET and HEAD of the corpus that was answered
200 or 304 three times (the second asking is kept, the third replayed): where the third is
a replay, it must be the computed answer, headers in order included.

On SQLite only: the two paths differ above the services alone (parameters parsed and
validated, the endpoint called, its result written), both calling the same services with
the same arguments, and the memory keeps bytes whatever made them; what a database changes
lies below, where the rest of the suite runs on PostgreSQL too. Asked there as well, the
corpus took some 100 s of that run to compare the same two paths again. (So the answer to a
database error is compared between the two paths on SQLite's errors only.)
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.db import make_engine
from app.main import JinzhongAPI, create_app

pytestmark = pytest.mark.sqlite_only

SPEC_FILE = Path(__file__).parent / "data" / "openapi.json"

# Headers that may differ between two answers to one request, left out of the comparison.
# `date` is the server's clock (uvicorn writes it; the test client does not, a live run
# would). `x-request-id` is new for every request unless the client names one: every request
# of the corpus names its own, so the echoed ids are compared like any other header.
VOLATILE_HEADERS = {"date"}

# What the values of a query parameter are read from, by the parameter's name: kinds of
# DATA below. A new parameter whose values no enum, type or kind gives fails the corpus,
# which then asks for a line here.
PARAM_KINDS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator",),
    "region": ("region",),
    "within": ("region",),
    "parent": ("region",),
    "entity": ("entity",),
    "source": ("source",),
    "topic": ("topic",),
    "observation": ("observation",),
    "speaker": ("person",),
    "start": ("year",),
    "end": ("year",),
    "base": ("year",),
    "period": ("period",),
    "as_of": ("moment",),
    "q": ("name_zh", "name_en"),
}

# The kind of the code in an item path, by the path's first segment under /v1.
PATH_KINDS = {
    "observations": "observation",
    "indicators": "indicator",
    "regions": "region",
    "topics": "topic",
    "sources": "source",
    "entities": "entity",
    "events": "event",
    "quotes": "quote",
    "checks": "check",
}

# Each kind's values in the database, the most used first (as a filter they select the
# most), every existing one included. Plain SQL, which SQLite and PostgreSQL both run.
DATA_QUERIES = {
    "indicator": "SELECT i.code FROM indicator i LEFT JOIN observation o"
    " ON o.indicator_code = i.code GROUP BY i.code ORDER BY count(o.code) DESC, i.code",
    "region": "SELECT r.code FROM region r LEFT JOIN observation o"
    " ON o.region_code = r.code GROUP BY r.code ORDER BY count(o.code) DESC, r.code",
    "source": "SELECT s.code FROM source s LEFT JOIN observation o"
    " ON o.source_code = s.code GROUP BY s.code ORDER BY count(o.code) DESC, s.code",
    "topic": "SELECT t.code FROM topic t LEFT JOIN indicator i"
    " ON i.topic_code = t.code GROUP BY t.code ORDER BY count(i.code) DESC, t.code",
    "entity": "SELECT e.code FROM entity e LEFT JOIN observation_entity o"
    " ON o.entity_code = e.code GROUP BY e.code ORDER BY count(o.entity_code) DESC, e.code",
    "person": "SELECT p.code FROM person p LEFT JOIN quotation q"
    " ON q.person_code = p.code GROUP BY p.code ORDER BY count(q.code) DESC, p.code",
    "observation": "SELECT code FROM observation ORDER BY code",
    "event": "SELECT code FROM event ORDER BY code",
    "quote": "SELECT code FROM quotation ORDER BY code",
    "check": "SELECT code FROM data_check ORDER BY code",
    "period": "SELECT period FROM observation GROUP BY period ORDER BY count(*) DESC, period",
    "year": "SELECT substr(period, 1, 4) FROM observation GROUP BY substr(period, 1, 4)"
    " ORDER BY count(*) DESC, substr(period, 1, 4)",
    "day": "SELECT published_date FROM source WHERE published_date IS NOT NULL"
    " ORDER BY published_date",
    "name_zh": "SELECT i.name_zh FROM indicator i LEFT JOIN observation o"
    " ON o.indicator_code = i.code GROUP BY i.code, i.name_zh"
    " ORDER BY count(o.code) DESC, i.code",
    "name_en": "SELECT i.name_en FROM indicator i LEFT JOIN observation o"
    " ON o.indicator_code = i.code GROUP BY i.code, i.name_en"
    " ORDER BY count(o.code) DESC, i.code",
}

# Well-formed values that name nothing, tried in order against a parameter's pattern.
UNKNOWN_CODES = ["nosuch", "999999", "2999"]
MALFORMED = "Not a code!"
STALE_ETAG = 'W/"0-00000000000000000000"'
LONG_AGO = "Sat, 01 Jan 2000 00:00:00 GMT"
ORIGIN = "https://example.org"

# Headers a client may send that change the answer, one variant per request.
HEADER_VARIANTS: list[tuple[tuple[str, str], ...]] = [
    (("Accept-Language", "en"),),
    (("Accept-Language", "en;q=0.5, zh-CN;q=0.9"),),
    (("Accept-Language", "fr"),),
    (("Accept", "text/csv"),),
    (("Accept", "text/html"),),
    (("Accept", "text/csv;q=0.5, application/json"),),
    (("Accept-Encoding", "identity"),),
    (("Origin", ORIGIN),),
]

# Parameters that mean more together, asked together where an operation has them all; a
# value of None is the parameter's first valid value.
COMBINATIONS: list[tuple[tuple[str, str | None], ...]] = [
    (("format", "csv"), ("bom", "true")),
    (("format", "csv"), ("all", "true")),
    (("format", "csv"), ("lang", "en")),
    (("format", "jsonstat"), ("all", "true")),
    (("format", "jsonstat"), ("lang", "en")),
    (("format", "csv"), ("shape", "wide")),
    (("shape", "wide"),),
    (("transform", "index"), ("base", None)),
    (("transform", "pct_change"), ("format", "csv")),
    (("limit", "2"), ("offset", "1")),
    (("limit", "1"), ("offset", "1000000")),
    (("limit", "3"), ("sort", None)),
    (("witnesses", "true"), ("latest", "2")),
    (("bom", "true"),),
    (("all", "true"), ("limit", "1")),
]


@dataclass(frozen=True)
class Ask:
    """One request of the corpus."""

    method: str
    target: str  # the path and query string, as sent
    headers: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        sent = "".join(f" [{name}: {value}]" for name, value in self.headers)
        return f"{self.method} {self.target}{sent}"


@dataclass(frozen=True)
class Answer:
    """What a client sees of one answer, volatile headers left out."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def canonical(document: Any) -> str:
    """The JSON text a document is compared and stored as: indented, non-ASCII as is, and
    members in the order served (a reordering is a change a reader of the document sees)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def with_query(path: str, pairs: Iterable[tuple[str, str]]) -> str:
    """`path` with a query string made of `pairs`, in order, repeats kept."""
    query = urlencode(list(pairs))
    return f"{path}?{query}" if query else path


def load_data(url: str) -> dict[str, list[str]]:
    """Each kind's values in the database at `url` (DATA_QUERIES), and the moments of its
    sources' publication dates for `as_of`."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            data = {
                kind: [str(row[0]) for row in connection.execute(text(sql))]
                for kind, sql in DATA_QUERIES.items()
            }
    finally:
        engine.dispose()
    days = data.pop("day")
    data["moment"] = [f"{days[-1]}T00:00:00Z", f"{days[0]}T12:00:00+08:00", f"{days[0]}"]
    return data


def picks(values: list[str]) -> list[str]:
    """A few of a kind's values: the most used, the last, one from the middle."""
    chosen = [values[0], values[-1], values[len(values) // 2]] if values else []
    return list(dict.fromkeys(chosen))


class Schema:
    """What the corpus reads of one parameter's schema, through anyOf, arrays and $refs."""

    def __init__(self, spec: dict[str, Any], parameter: dict[str, Any]) -> None:
        self.name: str = parameter["name"]
        self.required: bool = parameter.get("required", False)
        self.parts: list[dict[str, Any]] = []
        self._walk(spec, parameter["schema"])

    def _walk(self, spec: dict[str, Any], schema: dict[str, Any]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            self._walk(spec, spec["components"]["schemas"][name])
        elif "anyOf" in schema:
            for option in schema["anyOf"]:
                self._walk(spec, option)
        elif schema.get("type") == "array":
            self._walk(spec, schema["items"])
        elif schema.get("type") != "null":
            self.parts.append(schema)

    def types(self) -> set[str]:
        """The JSON types the parameter may take (null aside)."""
        return {part.get("type", "string") for part in self.parts}

    def first(self, key: str) -> Any:
        """The first value of a keyword (pattern, minimum...) among the types, or None."""
        return next((part[key] for part in self.parts if key in part), None)

    def enum(self) -> list[str]:
        """The values of its enums, as a query string gives them."""
        return [str(value) for part in self.parts for value in part.get("enum", [])]


def valid_values(schema: Schema, data: dict[str, list[str]]) -> list[str]:
    """Values of a parameter the API accepts, from its schema and the data."""
    if enum := schema.enum():
        return enum
    if schema.name in PARAM_KINDS:
        kinds = PARAM_KINDS[schema.name]
        return [value for kind in kinds for value in picks(data[kind])][:2]
    types = schema.types()
    if types == {"boolean", "integer"}:  # a flag that may be a count (latest)
        return ["true", "2"]
    if types == {"boolean"}:
        return ["true", "false"]
    if types == {"integer"}:
        low, high = schema.first("minimum"), schema.first("maximum")
        return [str(value) for value in dict.fromkeys([low, high]) if value is not None]
    pattern = schema.first("pattern") or ""
    if keys := re.search(r"\(\?:([a-z_]+(?:\|[a-z_]+)+)\)", pattern):  # sort's keys
        names = keys.group(1).split("|")
        return [f"-{names[-1]}", f"{names[1]},-{names[0]}"]
    if (default := schema.first("default")) is not None:
        return [str(default)]
    raise AssertionError(
        f"no valid value for the parameter {schema.name!r}: name its kind in PARAM_KINDS"
    )


def invalid_values(schema: Schema) -> list[str]:
    """Values of a parameter the API refuses, or that name nothing, from its schema."""
    types = schema.types()
    found: list[str] = []
    if "integer" in types:
        found.append("ten")
        if (high := schema.first("maximum")) is not None:
            found.append(str(high + 1))
        elif (low := schema.first("minimum")) is not None:
            found.append(str(low - 1))
    elif "boolean" in types:
        found.append("maybe")
    if schema.enum():
        found.append("nonsense")
    if pattern := schema.first("pattern"):
        found.append(MALFORMED)
        found += [code for code in UNKNOWN_CODES if re.search(pattern, code)][:1]
    if schema.first("format") == "date-time":
        found.append("2025-13-01T00:00:00")
    if (longest := schema.first("maxLength")) is not None:
        found.append("x" * (longest + 1))
    if types == {"string"} and not (schema.enum() or pattern or schema.first("format")):
        found.append("a\x00b")  # free text: a NUL, which no database stores
    return found


def item_paths(template: str, data: dict[str, list[str]]) -> list[str]:
    """The concrete paths of a path template: with codes that exist first (the first is the
    one every variant is asked on), then an unknown code and a malformed one."""
    if "{code}" not in template:
        return [template]
    resource = template.split("/")[2].removesuffix(".csv")
    assert resource in PATH_KINDS, f"no kind for the codes of {template}: add it to PATH_KINDS"
    kind = PATH_KINDS[resource]
    unknown = "999999" if kind == "region" else "nosuch"
    codes = [*picks(data[kind])[:2], unknown, quote(MALFORMED, safe="")]
    return [template.replace("{code}", code) for code in codes]


def operation_asks(
    spec: dict[str, Any],
    template: str,
    operation: dict[str, Any],
    data: dict[str, list[str]],
    seen: set[str],
) -> list[Ask]:
    """The requests of one GET operation, every variant on its first concrete path.

    A parameter is asked with all its values on the first operation that has it with its
    schema; on the others (a list's CSV twin, a sub-resource's copy of a filter), with its
    first valid value, its first invalid one and an empty one. `seen` records the first.
    """
    schemas = [
        Schema(spec, parameter)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    by_name = {schema.name: schema for schema in schemas}
    values = {schema.name: valid_values(schema, data) for schema in schemas}
    required = [(schema.name, values[schema.name][0]) for schema in schemas if schema.required]
    paths = item_paths(template, data)
    asks: list[Ask] = []
    for path in paths:
        asks += [Ask("GET", path), Ask("HEAD", path), Ask("GET", with_query(path, required))]
    path = paths[0]

    def ask(*pairs: tuple[str, str], headers: tuple[tuple[str, str], ...] = ()) -> Ask:
        # The required parameters stay, unless the variant is about one of them.
        named = {name for name, _ in pairs}
        kept = [(name, value) for name, value in required if name not in named]
        return Ask("GET", with_query(path, [*kept, *pairs]), headers)

    asks.append(ask(("unknown_parameter", "1")))
    # HEAD with parameters too: a valid one, an unknown one and an invalid one.
    heads = [ask(("unknown_parameter", "1"))]
    if schemas:
        first = schemas[0]
        heads.append(ask((first.name, values[first.name][0])))
        heads += [ask((first.name, value)) for value in invalid_values(first)[:1]]
    asks += [Ask("HEAD", head.target, head.headers) for head in heads]
    for schema in schemas:
        name, valid, invalid = schema.name, values[schema.name], invalid_values(schema)
        signature = json.dumps([name, schema.parts], sort_keys=True)
        if signature in seen:
            valid, invalid = valid[:1], invalid[:1]
        else:
            seen.add(signature)
            asks.append(ask((name, valid[0]), (name, valid[-1])))
        asks += [ask((name, value)) for value in [*valid, *invalid, ""]]
    asks += [ask(headers=headers) for headers in HEADER_VARIANTS]
    if "lang" in by_name:
        asks.append(ask(("lang", "zh"), headers=(("Accept-Language", "en"),)))
    if "format" in by_name:
        asks.append(ask(("format", "json"), headers=(("Accept", "text/csv"),)))
    for combination in COMBINATIONS:
        if all(name in by_name for name, _ in combination):
            asks.append(ask(*((name, value or values[name][0]) for name, value in combination)))
    preflight = (("Origin", ORIGIN), ("Access-Control-Request-Method", "GET"))
    asks += [
        Ask("GET", path + "/"),
        Ask("DELETE", path),
        Ask("OPTIONS", path, preflight),
    ]
    return asks


def conditional_asks(ask: Ask, answer: Answer) -> list[Ask]:
    """The conditional requests a 200 with an ETag makes possible, as a cache would send
    them: its own ETag (alone, after a stale one, for HEAD, for another language by
    parameter or by header, for CSV by header), `*`, its Last-Modified and an older date."""
    headers = dict(answer.headers)
    if answer.status != 200 or "etag" not in headers:
        return []
    etag = headers["etag"]
    variants = [
        ("If-None-Match", etag),
        ("If-None-Match", f"{STALE_ETAG}, {etag}"),
        ("If-None-Match", "*"),
        ("If-Modified-Since", headers.get("last-modified", LONG_AGO)),
        ("If-Modified-Since", LONG_AGO),
    ]
    other = ask.target + ("&" if "?" in ask.target else "?") + "lang=en"
    validated = ("If-None-Match", etag)
    return [
        *(Ask(ask.method, ask.target, (*ask.headers, variant)) for variant in variants),
        Ask("HEAD", ask.target, (validated,)),
        Ask("GET", other, (validated,)),
        # The same validator with another language or format asked by header.
        Ask("GET", ask.target, (("Accept-Language", "en"), validated)),
        Ask("GET", ask.target, (("Accept", "text/csv"), validated)),
    ]


def followed(ask: Ask) -> bool:
    """Whether the conditional requests of `ask`'s answer are asked too: those of a plain
    GET of a path, or of it in one format."""
    path, _, query = ask.target.partition("?")
    pairs = [pair.partition("=") for pair in query.split("&")] if query else []
    return (
        ask.method == "GET"
        and not ask.headers
        and not path.endswith("/")
        and all(name == "format" and value for name, _, value in pairs)
    )


def corpus(spec: dict[str, Any], data: dict[str, list[str]]) -> list[Ask]:
    """Every request of the corpus but the conditional ones, in a fixed order."""
    asks = [Ask("GET", "/openapi.json"), Ask("GET", "/v1"), Ask("GET", "/v1/nowhere")]
    seen: set[str] = set()
    for template, methods in spec["paths"].items():
        if template.startswith("/v1/") and "get" in methods:
            asks += operation_asks(spec, template, methods["get"], data, seen)
    return list(dict.fromkeys(asks))


def answer(client: TestClient, ask: Ask, number: int) -> Answer:
    """Send one request; what its answer shows."""
    headers = {"X-Request-ID": f"corpus-{number}", **dict(ask.headers)}
    response = client.request(ask.method, ask.target, headers=headers)
    # Headers as sent, names and values, in order. The body is decoded from gzip: the
    # compressed bytes carry the time they were made, the decoded ones are the answer.
    shown = tuple(
        (name.decode("latin-1").lower(), value.decode("latin-1"))
        for name, value in response.headers.raw
        if name.decode("latin-1").lower() not in VOLATILE_HEADERS
    )
    return Answer(response.status_code, shown, response.content)


def difference(
    ask: Ask,
    reference: Answer,
    candidate: Answer,
    names: tuple[str, str] = ("fast_reads off", "on"),
) -> str | None:
    """How two answers to `ask` differ, readably, the two named by `names`; None when they
    do not."""
    first, second = names
    lines = []
    if reference.status != candidate.status:
        lines.append(f"  status {reference.status} ({first}) != {candidate.status} ({second})")
    if reference.headers != candidate.headers:
        shown = [f"{name}: {value}" for name, value in reference.headers]
        other = [f"{name}: {value}" for name, value in candidate.headers]
        diff = difflib.unified_diff(shown, other, n=0, lineterm="")
        changed = [line for line in list(diff)[2:] if not line.startswith("@@")]
        lines += [f"  headers (- {first}, + {second}):", *(f"    {line}" for line in changed)]
    if reference.body != candidate.body:
        pairs = zip(reference.body, candidate.body, strict=False)
        at = next(
            (i for i, (a, b) in enumerate(pairs) if a != b),
            len(min(reference.body, candidate.body, key=len)),
        )
        window = slice(max(0, at - 40), at + 40)
        lines += [
            f"  body: {len(reference.body)} and {len(candidate.body)} bytes, first "
            f"difference at byte {at}:",
            f"    {first}: {reference.body[window]!r}",
            f"    {second}: {candidate.body[window]!r}",
        ]
    return f"{ask}\n" + "\n".join(lines) if lines else None


@dataclass
class Run:
    """The corpus and both apps' answers to it."""

    asks: list[Ask]
    reference: list[Answer]  # fast_reads off
    candidate: list[Answer]  # fast_reads on


def app_client(url: str, fast_reads: bool) -> TestClient:
    """A client of an app over the database at `url`, its response memory off; a redirect
    or a server error is an answer to compare, not followed or raised."""
    settings = Settings(database_url=url, fast_reads=fast_reads, response_cache_mb=0)
    return TestClient(create_app(settings), raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture(scope="module")
def clients(seeded_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps over one seeded database: fast_reads off (the reference) and on."""
    with app_client(seeded_url, False) as reference, app_client(seeded_url, True) as candidate:
        yield reference, candidate


@pytest.fixture(scope="module")
def run(clients: tuple[TestClient, TestClient], seeded_url: str) -> Run:
    """Both apps' answers to the corpus, the conditional requests included."""
    reference, candidate = clients
    done = Run([], [], [])

    def send(ask: Ask) -> None:
        number = len(done.asks)
        done.asks.append(ask)
        done.reference.append(answer(reference, ask, number))
        done.candidate.append(answer(candidate, ask, number))

    for ask in corpus(reference.get("/openapi.json").json(), load_data(seeded_url)):
        send(ask)
    asked = set(done.asks)
    following = [
        conditional
        for ask, reply in zip(list(done.asks), list(done.reference), strict=True)
        if followed(ask)
        for conditional in conditional_asks(ask, reply)
    ]
    for ask in dict.fromkeys(following):
        if ask not in asked:
            send(ask)
    return done


@pytest.mark.parametrize("fast_reads", [False, True], ids=["fast_reads_off", "fast_reads_on"])
def test_read_equivalence_openapi_matches_the_committed_copy(
    clients: tuple[TestClient, TestClient], fast_reads: bool
) -> None:
    served = canonical(clients[1 if fast_reads else 0].get("/openapi.json").json())
    stored = SPEC_FILE.read_text(encoding="utf-8") if SPEC_FILE.exists() else ""
    updating = os.environ.get("UPDATE_SPEC") == "1"
    # In CI the copy is checked, never rewritten: a stray UPDATE_SPEC would pass any change.
    assert not (updating and os.environ.get("CI") == "true"), "UPDATE_SPEC=1 is not for CI"
    if served != stored and updating:
        SPEC_FILE.parent.mkdir(exist_ok=True)
        SPEC_FILE.write_text(served, encoding="utf-8")
        stored = served
    if served != stored:
        diff = difflib.unified_diff(
            stored.splitlines(), served.splitlines(), str(SPEC_FILE.name), "served", lineterm=""
        )
        shown = list(diff)
        pytest.fail(
            f"/openapi.json differs from tests/data/{SPEC_FILE.name} (UPDATE_SPEC=1 rewrites "
            f"it, if the change is meant):\n"
            + "\n".join(shown[:200])
            + (f"\n... and {len(shown) - 200} more lines" if len(shown) > 200 else ""),
            pytrace=False,
        )


def test_read_equivalence_answers_are_the_same(run: Run) -> None:
    found = [
        shown
        for ask, reference, candidate in zip(run.asks, run.reference, run.candidate, strict=True)
        if (shown := difference(ask, reference, candidate)) is not None
    ]
    if found:
        pytest.fail(
            f"{len(found)} of {len(run.asks)} answers differ with fast_reads on:\n\n"
            + "\n\n".join(found[:25])
            + (f"\n\n... and {len(found) - 25} more" if len(found) > 25 else ""),
            pytrace=False,
        )


def test_read_equivalence_corpus_reaches_every_operation(
    run: Run, clients: tuple[TestClient, TestClient]
) -> None:
    """A corpus whose values had gone stale (every code unknown, every request refused)
    would prove nothing: every GET operation under /v1 answers 200 to some request of it,
    but the one that needs a key, and no request is answered with a server error."""
    spec = clients[0].get("/openapi.json").json()
    templates = {
        template: re.compile(
            "^" + re.escape(template).replace(re.escape("{code}"), "[^/]+") + r"(\?|$)"
        )
        for template, methods in spec["paths"].items()
        if template.startswith("/v1/") and "get" in methods and "security" not in methods["get"]
    }
    answered = {
        template
        for ask, reply in zip(run.asks, run.reference, strict=True)
        for template, pattern in templates.items()
        if reply.status == 200 and pattern.match(ask.target)
    }
    assert sorted(set(templates) - answered) == []
    statuses = Counter(reply.status for reply in [*run.reference, *run.candidate])
    assert {200, 304, 307, 400, 404, 405, 422} <= set(statuses), statuses
    assert not [status for status in statuses if status >= 500], statuses
    assert len(run.asks) >= 2500, len(run.asks)  # about 2,900 from the seed


# A request is kept the second time it comes: the third asking of a keepable one replays.
ASKINGS_TO_REPLAY = 3


@dataclass
class Replays:
    """The computed answers of the replayable requests of a Run, and their replays."""

    asks: list[Ask]
    computed: list[Answer]
    replayed: list[Answer]
    tried: int  # requests asked three times, replayed or not


@pytest.fixture(scope="module")
def replays(run: Run, seeded_url: str) -> Replays:
    """An app with the response memory on, asked each GET and HEAD of the corpus answered
    200 or 304 three times; the third answers that came from memory, beside the computed
    ones."""
    app = create_app(Settings(database_url=seeded_url, fast_reads=True))
    assert isinstance(app, JinzhongAPI)
    done = Replays([], [], [], 0)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        assert app.front_door is not None
        memory = app.front_door.memory
        for number, (ask, reference) in enumerate(zip(run.asks, run.reference, strict=True)):
            if ask.method not in ("GET", "HEAD") or reference.status not in (200, 304):
                continue
            done.tried += 1
            for _ in range(ASKINGS_TO_REPLAY):
                replays_before = memory.replays
                third = answer(client, ask, number)
            if memory.replays == replays_before + 1:
                done.asks.append(ask)
                done.computed.append(reference)
                done.replayed.append(third)
    return done


def test_read_equivalence_replayed_answers_are_the_computed_ones(replays: Replays) -> None:
    # Most such requests are data reads, which the memory keeps: a memory that replayed
    # nothing would make this test empty.
    assert len(replays.asks) >= replays.tried // 2, (len(replays.asks), replays.tried)
    statuses = Counter(reply.status for reply in replays.replayed)
    assert statuses[200], statuses
    assert statuses[304], statuses
    assert any(ask.method == "HEAD" for ask in replays.asks)
    found = [
        shown
        for ask, computed, replayed in zip(
            replays.asks, replays.computed, replays.replayed, strict=True
        )
        if (shown := difference(ask, computed, replayed, ("computed", "replayed"))) is not None
    ]
    if found:
        pytest.fail(
            f"{len(found)} of {len(replays.asks)} replayed answers differ from the computed:"
            "\n\n" + "\n\n".join(found[:25]),
            pytrace=False,
        )


def test_read_equivalence_difference_names_what_differs() -> None:
    ask = Ask("GET", "/v1/topics", (("Accept", "text/csv"),))
    same = Answer(200, (("etag", 'W/"1"'), ("vary", "Accept")), b"code\nenergy\n")
    assert difference(ask, same, same) is None
    reordered = Answer(200, (("vary", "Accept"), ("etag", 'W/"1"')), b"code\nenergy\n")
    shown = difference(ask, same, reordered)
    assert shown is not None
    assert shown == (
        "GET /v1/topics [Accept: text/csv]\n"
        "  headers (- fast_reads off, + on):\n"
        "    +vary: Accept\n"
        "    -vary: Accept"
    )
    other_body = Answer(200, same.headers, b"code\nenergy!\n")
    assert "first difference at byte 11" in (difference(ask, same, other_body) or "")
