"""Observation queries: filters, latest-per-series, sorting, and the records' related labels.

The hottest read path of the API, so it is written as plain SQL over the tables and returns
plain rows: no ORM objects are built, and no expression trees are compiled per request
(together those cost ten times the queries themselves). The SQL is standard, with named
parameters; SQLAlchemy binds them for whichever database the engine talks to.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlmodel import Session

from app.db import driver_rows
from app.errors import InvalidParameterError, NotFoundError
from app.models import Entity, Indicator, Observation, Region, Source, Topic
from app.rules.periods import Period
from app.rules.qualifiers import Qualifier
from app.services.common import period_bounds, regions_under, require_codes

# Sort keys clients may use (prefix "-" for descending) and the columns behind them.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "indicator": ("indicator_code",),
    "region": ("region_code",),
    "period": ("period_end", "period_start"),
    "value": ("value",),
}
DEFAULT_SORT = ("indicator", "region", "period")

# What a record carries: every column of the observation, by its own name, and the labels
# of the rows it joins. A column added to the table comes along with no change here.
_OWN_COLUMNS = [column.name for column in Observation.__table__.columns]  # type: ignore[attr-defined]
_COLUMNS = ", ".join(f"o.{name}" for name in _OWN_COLUMNS) + (
    ", i.name_zh AS indicator_name_zh, i.name_en AS indicator_name_en, i.topic_code AS topic, "
    "r.name_zh AS region_name_zh, r.name_en AS region_name_en, "
    "u.symbol AS unit_symbol, u.name_zh AS unit_name_zh, u.name_en AS unit_name_en, "
    "u.normalized_unit AS normalized_unit"
)


def _labelled(source: str) -> str:
    return (
        f"FROM {source} o JOIN indicator i ON i.code = o.indicator_code "
        "JOIN region r ON r.code = o.region_code JOIN unit u ON u.code = o.unit_code"
    )


def _columns(as_of: str | None) -> str:
    # A vintage brings its own links (see _records).
    return _COLUMNS if as_of is None else f"{_COLUMNS}, o.vintage_from, o.entity_codes, o.inputs"


# An observation as a response needs it: its columns and labels by name (above), plus
# `regions` (codes, main first), `inputs` ((name, observation code), by name) and `entities`.
ObservationRecord = dict[str, Any]


@dataclass(frozen=True)
class ObservationFilter:
    """What a client asked for; codes are checked against the database when applied."""

    indicators: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    # A region: figures about it or any region under it.
    within: str | None = None
    entities: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # Every source's figure for a point, not only the one the series shows.
    witnesses: bool = False
    topic: str | None = None
    start: str | None = None
    end: str | None = None
    qualifier: Qualifier | None = None
    # The N most recent figures per indicator and region (0: all of them).
    latest: int = 0
    sort: str | None = None
    # The data as it stood at this moment (stored form: ISO 8601, UTC); None for now.
    as_of: str | None = None


class _Sql:
    """A statement under construction, with its named parameters; run through the driver
    (app.db.driver_rows), as these are the hottest reads."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        """A placeholder for one value."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def bind_all(self, values: Sequence[Any]) -> str:
        """A parenthesized list of placeholders, one per value, for `IN`."""
        return "(" + ", ".join(self.bind(value) for value in values) + ")"

    def tuples(self, session: Session, sql: str) -> Sequence[Sequence[Any]]:
        """The rows of `sql`, as tuples."""
        return driver_rows(session.connection(), sql, self.params)[1]

    def rows(self, session: Session, sql: str) -> list[dict[str, Any]]:
        """The rows of `sql`, as dictionaries by column name."""
        names, rows = driver_rows(session.connection(), sql, self.params)
        return [dict(zip(names, row, strict=True)) for row in rows]


def _nulls(column: str, direction: str) -> str:
    # An open start (NULL) sorts as the earliest on every database, as SQLite has it; the
    # other sort columns are never NULL, and keep the plain order their indexes have.
    if column != "period_start":
        return ""
    return " NULLS LAST" if direction == "DESC" else " NULLS FIRST"


def _order(sort: str | None) -> str:
    keys = [k.strip() for k in sort.split(",")] if sort else list(DEFAULT_SORT)
    order: list[str] = []
    for key in keys:
        name = key.removeprefix("-")
        if name not in SORT_KEYS:
            allowed = ", ".join(SORT_KEYS)
            raise InvalidParameterError(
                "sort", f"cannot sort by {key!r}; use {allowed} (- for descending)"
            )
        direction = "DESC" if key.startswith("-") else "ASC"
        order.extend(
            f"o.{column} {direction}{_nulls(column, direction)}" for column in SORT_KEYS[name]
        )
    order.append("o.code ASC")
    return ", ".join(order)


def _observations(sql: _Sql, flt: ObservationFilter) -> str:
    """The observation rows a query reads: the live table (filtered by `_conditions`
    outside), or as of a moment the versions known then (ALFRED's real-time period): live
    rows known by then and superseded versions known by then and still current at it, each
    branch filtered with its own links, so both read through their indexes. At any moment a
    code has at most one version. Vintage rows carry `vintage_from`; their regions are in
    observation_vintage_region."""
    if flt.as_of is None:
        return "observation"
    plain = replace(flt, latest=0)
    moment = sql.bind(flt.as_of)
    live = _where([f"x.known_from <= {moment}", *_conditions(sql, plain, "x")])
    past = _where(
        [
            f"x.known_from <= {moment} AND x.known_until > {moment}",
            *_conditions(sql, plain, "x", vintage=True),
        ]
    )
    columns = ", ".join(f"x.{name}" for name in _OWN_COLUMNS)
    return (
        f"(SELECT {columns}, NULL AS vintage_from, NULL AS entity_codes, NULL AS inputs "
        f"FROM observation x{live} UNION ALL "
        f"SELECT {columns}, x.known_from AS vintage_from, x.entity_codes, x.inputs "
        f"FROM observation_vintage x{past})"
    )


def _filters(sql: _Sql, flt: ObservationFilter) -> list[str]:
    """The WHERE conditions on `_observations` (as `o`): all of them on the live table; as
    of a moment only `latest` (each branch of the versions has the others)."""
    if flt.as_of is None or flt.latest:
        return _conditions(sql, flt)
    return []


def _points(sql: _Sql, flt: ObservationFilter) -> str:
    """One row per figure and region it concerns (code, indicator_code, region_code,
    period_end, period_start), matching the filters: what `latest` ranks. As of a moment,
    the live rows known then with their links and the vintages current then with theirs."""
    plain = replace(flt, latest=0)
    chosen = _chosen_regions(sql, flt)
    picked = "SELECT x.code, x.indicator_code, xr.region_code, x.period_end, x.period_start "
    live = _conditions(sql, plain, "x") + chosen
    if flt.as_of is not None:
        live.append(f"x.known_from <= {sql.bind(flt.as_of)}")
    points = (
        f"{picked}FROM observation x JOIN observation_region xr "
        f"ON xr.observation_code = x.code{_where(live)}"
    )
    if flt.as_of is None:
        return points
    moment = sql.bind(flt.as_of)
    past = [
        f"x.known_from <= {moment} AND x.known_until > {moment}",
        *_conditions(sql, plain, "x", vintage=True),
        *_chosen_regions(sql, flt),
    ]
    return (
        f"{points} UNION ALL {picked}FROM observation_vintage x JOIN observation_vintage_region "
        f"xr ON xr.observation_code = x.code AND xr.known_from = x.known_from{_where(past)}"
    )


def _chosen_regions(sql: _Sql, flt: ObservationFilter) -> list[str]:
    """Conditions on a figure's region link (as `xr`) to the regions asked for."""
    chosen = [f"xr.region_code IN {sql.bind_all(flt.regions)}"] if flt.regions else []
    if flt.within is not None:
        chosen.append(f"xr.region_code IN ({regions_under(sql.bind(flt.within))})")
    return chosen


def _require_known_codes(session: Session, flt: ObservationFilter) -> None:
    require_codes(session, Indicator, flt.indicators, "indicator")
    require_codes(session, Region, flt.regions, "region")
    require_codes(session, Region, [] if flt.within is None else [flt.within], "within")
    require_codes(session, Entity, flt.entities, "entity")
    require_codes(session, Source, flt.sources, "source")
    if flt.topic is not None:
        require_codes(session, Topic, [flt.topic], "topic")


def _conditions(
    sql: _Sql, flt: ObservationFilter, alias: str = "o", *, vintage: bool = False
) -> list[str]:
    """WHERE conditions on the observation table (as `alias`; `vintage`: on
    observation_vintage, whose links are its own) that match every filter.

    Conditions rather than a subquery of codes: the page and the count then each read the
    observation table once, through its indexes, however many rows match.
    """
    if flt.latest:
        # The N most recent per indicator and region, over every region a figure concerns (or
        # only the regions asked for), so a figure is never hidden by one about another region.
        ranked = (
            "SELECT code, row_number() OVER (PARTITION BY indicator_code, region_code "
            "ORDER BY period_end DESC, period_start DESC NULLS LAST, code ASC) AS recency "
            f"FROM ({_points(sql, flt)}) points"
        )
        return [
            f"{alias}.code IN (SELECT code FROM ({ranked}) ranked "
            f"WHERE recency <= {sql.bind(int(flt.latest))})"
        ]
    start, end = period_bounds(flt.start, flt.end)
    # The figure a series shows, unless every witness is asked for, or a source's figures
    # (whether or not they head their point).
    shown = flt.witnesses or flt.sources
    conditions: list[str] = [] if shown else [f"{alias}.witness_of IS NULL"]
    if flt.indicators:
        conditions.append(f"{alias}.indicator_code IN {sql.bind_all(flt.indicators)}")
    if flt.regions:
        # Any region the observation concerns, not only its main one. A correlated EXISTS
        # probes the link's primary key per candidate row, so an indicator filter still
        # drives the query through its index (a region alone matches ~1/16 of a million).
        listed = sql.bind_all(flt.regions)
        if vintage:
            conditions.append(
                f"EXISTS (SELECT 1 FROM observation_vintage_region l WHERE l.observation_code "
                f"= {alias}.code AND l.known_from = {alias}.known_from AND l.region_code IN "
                f"{listed})"
            )
        else:
            conditions.append(
                f"EXISTS (SELECT 1 FROM observation_region l WHERE l.observation_code = "
                f"{alias}.code AND l.region_code IN {listed})"
            )
    if flt.within is not None:
        # The region and every region under it, among any region a figure concerns.
        under = regions_under(sql.bind(flt.within))
        if vintage:
            conditions.append(
                f"EXISTS (SELECT 1 FROM observation_vintage_region w WHERE w.observation_code "
                f"= {alias}.code AND w.known_from = {alias}.known_from AND w.region_code IN "
                f"({under}))"
            )
        else:
            # Uncorrelated, so the tree is walked once and its regions' links read by index
            # (correlated, the planner walked every observation).
            conditions.append(
                f"{alias}.code IN (SELECT w.observation_code FROM observation_region w "
                f"WHERE w.region_code IN ({under}))"
            )
    if flt.entities:
        if vintage:
            # A vintage keeps its entities as space-separated codes.
            matches = " OR ".join(
                f"(' ' || {alias}.entity_codes || ' ') LIKE {sql.bind(f'% {code} %')}"
                for code in flt.entities
            )
            conditions.append(f"({matches})")
        else:
            conditions.append(
                f"EXISTS (SELECT 1 FROM observation_entity e WHERE e.observation_code = "
                f"{alias}.code AND e.entity_code IN {sql.bind_all(flt.entities)})"
            )
    if flt.sources:
        conditions.append(f"{alias}.source_code IN {sql.bind_all(flt.sources)}")
    if flt.topic is not None:
        conditions.append(
            f"{alias}.indicator_code IN "
            f"(SELECT code FROM indicator WHERE topic_code = {sql.bind(flt.topic)})"
        )
    if flt.qualifier is not None:
        conditions.append(f"{alias}.qualifier = {sql.bind(flt.qualifier.value)}")
    if start is not None:
        # The end bound is implied (an end is never before its start), but stating it lets
        # the index on (indicator, period_end) read only the periods asked for.
        bound = sql.bind(start)
        conditions.append(f"{alias}.period_start >= {bound} AND {alias}.period_end >= {bound}")
    if end is not None:
        conditions.append(f"{alias}.period_end <= {sql.bind(end)}")
    return conditions


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


class _Links(NamedTuple):
    """What a page of observations links to, by observation code, each list in its order."""

    regions: dict[str, list[str]]
    entities: dict[str, list[str]]
    inputs: dict[str, list[tuple[str, str]]]


def _links(session: Session, codes: list[str], derived: list[str]) -> _Links:
    """The regions and entities of `codes` and the inputs of `derived`, in one statement.

    One statement instead of one per link table: on PostgreSQL each is a round trip, and on
    either database the statement's own cost is more than its rows'. Each branch reads its
    table through its index on observation_code; the sort orders regions by position,
    entities by code and inputs by name, within each observation."""
    found = _Links(defaultdict(list), defaultdict(list), defaultdict(list))
    if not codes:
        return found
    sql = _Sql()
    listed = sql.bind_all(codes)
    branches = [
        "SELECT 'r' AS kind, observation_code, region_code AS value, NULL AS other, "
        f"position AS place FROM observation_region WHERE observation_code IN {listed}",
        "SELECT 'e', observation_code, entity_code, NULL, 0 FROM observation_entity "
        f"WHERE observation_code IN {listed}",
    ]
    if derived:
        branches.append(
            "SELECT 'i', observation_code, name, input_code, 0 FROM derivation_input "
            f"WHERE observation_code IN {sql.bind_all(derived)}"
        )
    statement = " UNION ALL ".join(branches) + " ORDER BY kind, observation_code, place, value"
    for kind, code, value, other, _ in sql.tuples(session, statement):
        if kind == "r":
            found.regions[code].append(value)
        elif kind == "e":
            found.entities[code].append(value)
        else:
            found.inputs[code].append((value, other))
    return found


def _records(session: Session, rows: Sequence[Any]) -> list[ObservationRecord]:
    codes = [row["code"] for row in rows]
    links = _links(session, codes, [row["code"] for row in rows if row["derived"]])
    vintages = [(row["code"], row["vintage_from"]) for row in rows if row.get("vintage_from")]
    vintage_regions: dict[tuple[str, str], list[str]] = defaultdict(list)
    if vintages:
        params = _Sql()
        listed = params.bind_all([code for code, _ in vintages])
        statement = (
            "SELECT observation_code, known_from, region_code FROM observation_vintage_region "
            f"WHERE observation_code IN {listed} ORDER BY observation_code, known_from, position"
        )
        for code, known_from, region in params.tuples(session, statement):
            vintage_regions[(code, known_from)].append(region)
    records = []
    for row in rows:
        record = dict(row)
        code = record["code"]
        record["derived"] = bool(record["derived"])  # SQLite keeps booleans as 0 and 1
        vintage_from = record.pop("vintage_from", None)
        if vintage_from:
            # A version as it stood: its own links, not today's.
            record["regions"] = vintage_regions[(code, vintage_from)]
            record["inputs"] = [tuple(pair) for pair in json.loads(record["inputs"])]
            record["entities"] = record["entity_codes"].split()
        else:
            record["regions"] = links.regions[code]
            record["inputs"] = links.inputs[code]
            record["entities"] = links.entities[code]
        record.pop("entity_codes", None)
        records.append(record)
    return records


def list_observations(
    session: Session, flt: ObservationFilter, *, limit: int, offset: int
) -> tuple[list[ObservationRecord], int]:
    """A page of matching observations (sorted as asked) and the total that match."""
    order = _order(flt.sort)
    sql = _Sql()
    source = _observations(sql, flt)
    where = _where(_filters(sql, flt))
    rows: Sequence[Any] = []
    if limit:
        page = f"SELECT {_columns(flt.as_of)} {_labelled(source)}{where} ORDER BY {order}"
        page += f" LIMIT {int(limit)}"
        page += f" OFFSET {int(offset)}"
        rows = sql.rows(session, page)
    if 0 < len(rows) < limit or (offset == 0 and len(rows) < limit):
        # A page that is not full is the last one: the total is known without counting.
        total = offset + len(rows)
    else:
        counted = f"SELECT count(*) FROM {source} o{where}"
        total = int(sql.tuples(session, counted)[0][0])
    if total == 0:
        # Only an empty answer can hide a code that names nothing: check the codes then,
        # and spare every answer that found something these queries.
        _require_known_codes(session, flt)
    return _records(session, rows), total


def get_observation(session: Session, code: str, as_of: str | None = None) -> ObservationRecord:
    """One observation (as it stood at `as_of`, if given); NotFoundError if there is none."""
    sql = _Sql()
    # Any figure by its code, whether or not it heads its point.
    source = _observations(sql, ObservationFilter(as_of=as_of, witnesses=True))
    one = f"SELECT {_columns(as_of)} {_labelled(source)} WHERE o.code = {sql.bind(code)}"
    rows = sql.rows(session, one)
    if not rows:
        raise NotFoundError(f"No observation with code {code!r}.")
    return _records(session, rows)[0]


def series_keys(session: Session, flt: ObservationFilter) -> set[tuple[str, str]]:
    """The series (indicator, main region) of the figures matching `flt`, on every page."""
    sql = _Sql()
    source = _observations(sql, flt)
    where = _where(_filters(sql, flt))
    statement = f"SELECT DISTINCT o.indicator_code, o.region_code FROM {source} o{where}"
    return {(indicator, region) for indicator, region in sql.tuples(session, statement)}


def headline_figures(
    session: Session,
    indicators: Collection[str],
    *,
    regions: Collection[str] | None = None,
    period: Period | None = None,
    as_of: str | None = None,
) -> list[ObservationRecord]:
    """The figures series show (never their witnesses) of `indicators`, for the main
    `regions` (all if None), every period or only `period`, as they stood at `as_of`; in
    series order (indicator, region, period)."""
    if not indicators or (regions is not None and not regions):
        return []
    flt = ObservationFilter(indicators=sorted(indicators), as_of=as_of)
    sql = _Sql()
    source = _observations(sql, flt)
    conditions = _filters(sql, flt)
    if regions is not None:
        conditions.append(f"o.region_code IN {sql.bind_all(sorted(regions))}")
    if period is not None:
        conditions.append(f"o.period_precision = {sql.bind(period.precision.value)}")
        conditions.append(f"o.period_end = {sql.bind(period.end)}")
        if period.start is None:
            conditions.append("o.period_start IS NULL")
        else:
            conditions.append(f"o.period_start = {sql.bind(period.start)}")
    statement = (
        f"SELECT {_columns(as_of)} {_labelled(source)}{_where(conditions)} ORDER BY {_order(None)}"
    )
    return _records(session, sql.rows(session, statement))
