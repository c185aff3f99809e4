"""Read seed_data/ into a validated bundle, touching no database.

Every problem is collected (not just the first) and named by file, line and field, so a
curator fixes a broken file in one pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.rules.checks import Check
from app.rules.derivation import evaluate, formula_names
from app.rules.figures import locate_figure, read_figure
from app.rules.periods import parse_period
from app.rules.qualifiers import wording_problems
from app.rules.regions import LEVEL_RANK
from app.rules.resources import singular
from app.rules.texts import Correction, apply_errata, contains_quote, squeeze
from app.rules.witnesses import Agreement, Figure, rank_point
from app.seed.checks import Report, acknowledge, catalogue, checks_of, figure_of
from app.seed.schema import (
    BoundaryFileSeed,
    BoundarySeed,
    EntitySeed,
    EventSeed,
    IndicatorSeed,
    ObservationSeed,
    QuoteSeed,
    RegionSeed,
    SourceSeed,
    TopicSeed,
    UnitSeed,
)

SEED_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "sources": ("sources.yaml", SourceSeed),
    "regions": ("regions.yaml", RegionSeed),
    "topics": ("topics.yaml", TopicSeed),
    "units": ("units.yaml", UnitSeed),
    "indicators": ("indicators.yaml", IndicatorSeed),
    "observations": ("observations.yaml", ObservationSeed),
    "entities": ("entities.yaml", EntitySeed),
    "events": ("events.yaml", EventSeed),
    "quotes": ("quotes.yaml", QuoteSeed),
}
# Region outlines, a GeoJSON FeatureCollection (optional: without it no region has one).
# `jinzhong boundaries` builds it from a package; see app/seed/boundaries.py.
BOUNDARIES_FILE = "boundaries.geojson"
ModelT = TypeVar("ModelT", bound=BaseModel)
# libyaml's safe loader where PyYAML was built with it (the wheels are): the same YAML,
# several times faster than the pure-Python one, which every seed and validate would pay.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NodePath = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class SeedIssue:
    """One problem in the seed data, located as precisely as the YAML allows."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class SeedError(Exception):
    """The seed data is invalid; `issues` lists every problem found."""

    def __init__(self, issues: Sequence[SeedIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source's text as received and after its errata; both None for a source whose text
    is not stored (its figures give locators, not quotes)."""

    original: str | None
    corrected: str | None


@dataclass(frozen=True)
class SeedBundle:
    """Everything in seed_data/, validated and cross-checked."""

    sources: list[SourceSeed]
    regions: list[RegionSeed]
    topics: list[TopicSeed]
    units: list[UnitSeed]
    indicators: list[IndicatorSeed]
    observations: list[ObservationSeed]
    entities: list[EntitySeed]
    events: list[EventSeed]
    quotes: list[QuoteSeed]
    boundaries: list[BoundarySeed]
    texts: dict[str, SourceText]
    # Each figure's headline and agreement at its point (None, None: it is the headline).
    ranks: dict[str, tuple[str | None, Agreement | None]]
    # The record's checks of itself, each conflicting one acknowledged (app/seed/checks.py).
    checks: list[Check]
    content_hash: str


@dataclass
class _File:
    """A parsed YAML file with the line of every node, for pointing at problems."""

    name: str
    lines: dict[NodePath, int] = field(default_factory=dict)

    def line(self, path: NodePath) -> int | None:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


class _Collector:
    def __init__(self) -> None:
        self.issues: list[SeedIssue] = []

    def add(self, file: _File, path: NodePath, message: str, kind: str = "") -> None:
        label = kind or Path(file.name).stem
        dotted = label + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        self.issues.append(SeedIssue(file.name, file.line(path), dotted, message))


def content_hash(seed_dir: Path) -> str:
    """SHA-256 over every file under seed_dir (names and bytes): the data version's input."""
    digest = hashlib.sha256()
    for path in sorted(p for p in seed_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(seed_dir).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _node_lines(
    node: yaml.Node, path: NodePath, out: dict[NodePath, int], file: _File, issues: _Collector
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _node_lines(child, (*path, index), out, file, issues)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            _node_lines(value_node, (*path, key), out, file, issues)
            # A key's own line, not its value's, is where a curator looks for it.
            out[(*path, key)] = key_node.start_mark.line + 1
            if key in seen:
                issues.add(file, (*path, key), "key appears twice in the same record")
            seen.add(key)


def _read_list(
    path: Path, model: type[ModelT], issues: _Collector
) -> tuple[_File, list[tuple[int, ModelT]]]:
    """Parse one file; return it with (index in the file, record) for each valid record."""
    file = _File(path.name)
    if not path.is_file():
        issues.add(file, (), f"file is missing from {path.parent}")
        return file, []
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data: Any = yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        file.lines[()] = mark.line + 1 if mark else 1
        issues.add(file, (), f"not valid YAML: {problem}")
        return file, []
    if node is not None:
        _node_lines(node, (), file.lines, file, issues)
    if data is None:
        data = []
    if not isinstance(data, list):
        issues.add(file, (), "must be a list of records")
        return file, []
    records: list[tuple[int, ModelT]] = []
    adapter = TypeAdapter(model)
    for index, item in enumerate(data):
        try:
            records.append((index, adapter.validate_python(item)))
        except ValidationError as exc:
            for error in exc.errors():
                issues.add(file, (index, *error["loc"]), error["msg"])
    return file, records


def _duplicates(file: _File, records: Sequence[tuple[int, Any]], issues: _Collector) -> None:
    seen: dict[str, int] = {}
    for index, record in records:
        if record.code in seen:
            issues.add(
                file,
                (index, "code"),
                f"code {record.code!r} is already used by record {seen[record.code]}",
            )
        else:
            seen[record.code] = index


def load_bundle(seed_dir: Path) -> SeedBundle:
    """Parse, validate and cross-check seed_dir; raise SeedError listing every problem."""
    issues = _Collector()
    if not seed_dir.is_dir():
        raise SeedError([SeedIssue(str(seed_dir), None, "seed_dir", "folder does not exist")])
    parsed: dict[str, tuple[_File, list[tuple[int, Any]]]] = {}
    for kind, (name, model) in SEED_FILES.items():
        parsed[kind] = _read_list(seed_dir / name, model, issues)
        _duplicates(*parsed[kind], issues)
    files = {kind: file for kind, (file, _) in parsed.items()}
    sources: list[tuple[int, SourceSeed]] = parsed["sources"][1]
    regions: list[tuple[int, RegionSeed]] = parsed["regions"][1]
    topics: list[tuple[int, TopicSeed]] = parsed["topics"][1]
    units: list[tuple[int, UnitSeed]] = parsed["units"][1]
    indicators: list[tuple[int, IndicatorSeed]] = parsed["indicators"][1]
    observations: list[tuple[int, ObservationSeed]] = parsed["observations"][1]
    entities: list[tuple[int, EntitySeed]] = parsed["entities"][1]
    events: list[tuple[int, EventSeed]] = parsed["events"][1]
    quotes: list[tuple[int, QuoteSeed]] = parsed["quotes"][1]

    texts = _check_sources(seed_dir, files["sources"], sources, issues)
    _check_regions(files["regions"], regions, issues)
    _check_indicators(
        files["indicators"],
        indicators,
        {t.code for _, t in topics},
        {u.code for _, u in units},
        issues,
    )
    ranks = _check_observations(
        files["observations"],
        observations,
        indicators={i.code: i for _, i in indicators},
        units={u.code: u for _, u in units},
        regions={r.code for _, r in regions},
        texts=texts,
        sources={s.code: s for _, s in sources},
        issues=issues,
    )
    known = Known(
        regions={r.code for _, r in regions},
        topics={t.code for _, t in topics},
        indicators={i.code for _, i in indicators},
        entities={e.code for _, e in entities},
        people={p.code for _, e in entities for p in e.people},
        texts=texts,
        events={e.code for _, e in events},
    )
    _check_observation_entities(files["observations"], observations, known, issues)
    _check_entities(files["entities"], entities, known, issues)
    _check_events(files["events"], events, known, issues)
    _check_quotes(files["quotes"], quotes, known, issues)
    checks = _run_checks(files, parsed, issues)
    boundary_file, boundaries = _read_boundaries(seed_dir / BOUNDARIES_FILE, issues)
    _check_boundaries(
        boundary_file, boundaries, known.regions, {s.code for _, s in sources}, issues
    )
    if issues.issues:
        raise SeedError(issues.issues)
    return SeedBundle(
        sources=[r for _, r in sources],
        regions=[r for _, r in regions],
        topics=[r for _, r in topics],
        units=[r for _, r in units],
        indicators=[r for _, r in indicators],
        observations=[r for _, r in observations],
        entities=[r for _, r in entities],
        events=[r for _, r in events],
        quotes=[r for _, r in quotes],
        boundaries=[r for _, r in boundaries],
        texts=texts,
        ranks=ranks,
        checks=checks,
        content_hash=content_hash(seed_dir),
    )


def _read_boundaries(
    path: Path, issues: _Collector
) -> tuple[_File, list[tuple[int, BoundarySeed]]]:
    """Parse boundaries.geojson; return it with (index, feature) for each valid feature."""
    file = _File(path.name)
    if not path.is_file():
        return file, []
    text = path.read_text(encoding="utf-8")
    file.lines[()] = 1
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        file.lines[()] = exc.lineno
        issues.add(file, (), f"not valid JSON: {exc.msg}")
        return file, []
    try:
        collection = BoundaryFileSeed.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            issues.add(file, tuple(error["loc"]), error["msg"])
        return file, []
    lines = text.splitlines()
    features: list[tuple[int, BoundarySeed]] = []
    for index, item in enumerate(collection.features):
        code = item.get("id") if isinstance(item, dict) else None
        if isinstance(code, str):
            # A feature's line is the one naming its region (the build writes one a line).
            marks = (f'"id":"{code}"', f'"id": "{code}"')
            found = next((n for n, line in enumerate(lines, 1) if any(m in line for m in marks)), 0)
            if found:
                file.lines[("features", index)] = found
        try:
            features.append((index, BoundarySeed.model_validate(item)))
        except ValidationError as exc:
            for error in exc.errors():
                issues.add(file, ("features", index, *error["loc"]), error["msg"])
    return file, features


def _check_boundaries(
    file: _File,
    boundaries: list[tuple[int, BoundarySeed]],
    regions: set[str],
    sources: set[str],
    issues: _Collector,
) -> None:
    """Each boundary outlines a known region, once, and cites a known source."""
    seen: dict[str, int] = {}
    for index, boundary in boundaries:
        if boundary.code not in regions:
            issues.add(file, ("features", index, "id"), f"unknown region {boundary.code!r}")
        if boundary.code in seen:
            issues.add(
                file,
                ("features", index, "id"),
                f"region {boundary.code!r} already has a boundary (feature {seen[boundary.code]})",
            )
        seen.setdefault(boundary.code, index)
        if boundary.source not in sources:
            issues.add(
                file,
                ("features", index, "properties", "source"),
                f"unknown source {boundary.source!r}",
            )


def read_regions(seed_dir: Path) -> list[RegionSeed]:
    """regions.yaml alone, checked as the seeder checks it; SeedError if it is not valid."""
    issues = _Collector()
    file, regions = _read_list(seed_dir / SEED_FILES["regions"][0], RegionSeed, issues)
    _duplicates(file, regions, issues)
    _check_regions(file, regions, issues)
    if issues.issues:
        raise SeedError(issues.issues)
    return [region for _, region in regions]


def _run_checks(
    files: dict[str, _File],
    parsed: dict[str, tuple[_File, list[tuple[int, Any]]]],
    issues: _Collector,
) -> list[Check]:
    """The record's checks of itself, with a problem for each conflict no record explains
    and each conflict_note where nothing conflicts."""
    records = {kind: [r for _, r in parsed[kind][1]] for kind in parsed}
    where: dict[str, tuple[str, int]] = {}
    for kind in ("observations", "events"):
        for index, record in parsed[kind][1]:
            where[record.code] = (kind, index)
    checks = checks_of(
        records["observations"],
        records["events"],
        catalogue(records["regions"], records["indicators"], records["units"], records["sources"]),
    )

    def problem_for(code: str) -> Report:
        kind, index = where[code]
        return _reporter(issues, files[kind], index)

    notes = {r.code: r.conflict_note for kind in ("observations", "events") for r in records[kind]}
    acknowledge(checks, notes, problem_for)
    return checks


def _check_sources(
    seed_dir: Path, file: _File, sources: list[tuple[int, SourceSeed]], issues: _Collector
) -> dict[str, SourceText]:
    texts: dict[str, SourceText] = {}
    for index, source in sources:
        if source.text_file is None:
            texts[source.code] = SourceText(None, None)
            continue
        text_path = (seed_dir / source.text_file).resolve()
        if not text_path.is_relative_to(seed_dir.resolve()) or not text_path.is_file():
            issues.add(
                file, (index, "text_file"), f"no file {source.text_file!r} in the seed folder"
            )
            continue
        original = text_path.read_text(encoding="utf-8")
        texts[source.code] = source_text(source, original, _reporter(issues, file, index))
    return texts


def source_text(source: SourceSeed, original: str, problem: Report) -> SourceText:
    """A source's text as received and with its errata applied; an erratum that does not
    match the text the number of times it says is a problem."""
    corrections = [Correction(e.original, e.corrected, e.occurrences) for e in source.errata]
    corrected, problems = apply_errata(original, corrections)
    for number, message in problems:
        problem(f"errata[{number}].original", message)
    return SourceText(original, corrected)


def _reporter(issues: _Collector, file: _File, index: int) -> Report:
    """`problem(field, message)` for record `index` of `file`: the seeder's side of the
    per-record checks the write API shares."""

    def problem(key: str, message: str) -> None:
        issues.add(file, (index, *_key_path(key)), message)

    return problem


def _check_regions(file: _File, regions: list[tuple[int, RegionSeed]], issues: _Collector) -> None:
    by_code = {r.code: r for _, r in regions}
    for index, region in regions:
        if region.parent is None:
            continue
        parent = by_code.get(region.parent)
        if parent is None:
            issues.add(file, (index, "parent"), f"unknown region {region.parent!r}")
        elif LEVEL_RANK[parent.level] >= LEVEL_RANK[region.level]:
            issues.add(
                file,
                (index, "parent"),
                f"a {region.level.value} cannot sit under a {parent.level.value}",
            )


def _check_indicators(
    file: _File,
    indicators: list[tuple[int, IndicatorSeed]],
    topics: set[str],
    units: set[str],
    issues: _Collector,
) -> None:
    for index, indicator in indicators:
        check_indicator(indicator, topics, units, _reporter(issues, file, index))


def check_indicator(
    indicator: IndicatorSeed, topics: set[str], units: set[str], problem: Report
) -> None:
    """An indicator's topic and unit exist (`topics` and `units` hold at least its own)."""
    if indicator.topic not in topics:
        problem("topic", f"unknown topic {indicator.topic!r}")
    if indicator.unit not in units:
        problem("unit", f"unknown unit {indicator.unit!r} (see units.yaml)")


def _check_observations(
    file: _File,
    observations: list[tuple[int, ObservationSeed]],
    *,
    indicators: dict[str, IndicatorSeed],
    units: dict[str, UnitSeed],
    regions: set[str],
    texts: dict[str, SourceText],
    sources: dict[str, SourceSeed],
    issues: _Collector,
) -> dict[str, tuple[str | None, Agreement | None]]:
    by_code = {o.code: o for _, o in observations}
    index_of = {o.code: index for index, o in observations}
    # A series point (a JSON-stat cell): one figure per source, one of them the headline.
    points: dict[tuple[str, str, str], list[ObservationSeed]] = {}
    for _, obs in observations:
        points.setdefault(point_of(obs), []).append(obs)
    figures = {
        obs.code: figure
        for _, obs in observations
        if (figure := figure_of(obs, indicators, units, sources)) is not None
    }
    ranks: dict[str, tuple[str | None, Agreement | None]] = {}
    for seeds in points.values():

        def problem_for(code: str) -> Report:
            return _reporter(issues, file, index_of[code])

        ranks.update(check_point(seeds, figures, problem_for))
    for index, obs in observations:
        check_observation(
            obs,
            indicator=indicators.get(obs.indicator),
            units=units,
            known_regions=regions,
            source=texts.get(obs.source),
            by_code=by_code,
            problem=_reporter(issues, file, index),
        )
    return ranks


def point_of(obs: ObservationSeed) -> tuple[str, str, str]:
    """The series point a figure gives: indicator, main region, period."""
    return (obs.indicator, obs.regions[0], parse_period(obs.period).label)


def check_point(
    seeds: Sequence[ObservationSeed],
    figures: dict[str, Figure],
    problem_for: Callable[[str], Report],
) -> dict[str, tuple[str | None, Agreement | None]]:
    """The rules of one point across its figures: one per source; a witness that conflicts
    with the headline only with a `conflict_note`. Return each figure's headline and
    agreement (app/rules/witnesses.py)."""
    by_source: dict[str, ObservationSeed] = {}
    for obs in seeds:
        first = by_source.setdefault(obs.source, obs)
        if first is not obs:
            problem_for(obs.code)(
                "period",
                f"{first.code!r} already gives {obs.indicator} for {obs.regions[0]} in "
                f"{obs.period} from source {obs.source!r}",
            )
    ranks = rank_point([figures[obs.code] for obs in seeds if obs.code in figures])
    for obs in seeds:
        headline, agreement = ranks.get(obs.code, (None, None))
        if agreement is Agreement.conflicting and not obs.conflict_note:
            problem_for(obs.code)(
                "value",
                f"conflicts with {headline!r}, another source's figure for {obs.indicator} "
                f"in {obs.regions[0]}, {obs.period}: keep it only with a conflict_note saying why",
            )
    # A conflict_note where nothing conflicts is the checks' to report (app/seed/checks.py).
    return ranks


def _key_path(key: str) -> NodePath:
    # "regions[0].quote" names the node ("regions", 0, "quote"), whose line the curator
    # is shown.
    path: list[int | str] = []
    for part in key.split("."):
        name, _, rest = part.partition("[")
        path.append(name)
        path.extend(int(n) for n in rest.rstrip("]").split("][") if n)
    return tuple(path)


def check_observation(
    obs: ObservationSeed,
    *,
    indicator: IndicatorSeed | None,
    units: dict[str, UnitSeed],
    known_regions: set[str],
    source: SourceText | None,
    by_code: dict[str, ObservationSeed],
    problem: Report,
) -> None:
    """Every rule one observation must keep with the records it refers to: its indicator,
    regions, unit, source (the quote verbatim in it), the figure printed in the quote and
    its derivation. `units` holds at least its own and its indicator's unit, `by_code` at
    least its derivation's inputs. The seeder checks each record of seed_data/ with it, the
    write API the one record it writes; `problem(field, message)` hears what is wrong."""
    if indicator is None:
        problem("indicator", f"unknown indicator {obs.indicator!r}")
    for position, region in enumerate(obs.regions):
        if region not in known_regions:
            problem(f"regions[{position}]", f"unknown region {region!r}")
    unit = units.get(obs.unit or (indicator.unit if indicator else ""))
    if obs.unit is not None and obs.unit not in units:
        problem("unit", f"unknown unit {obs.unit!r} (see units.yaml)")
    elif unit and indicator and indicator.unit in units:
        expected = units[indicator.unit].normalized_unit
        if unit.normalized_unit != expected:
            problem(
                "unit",
                f"normalizes to {unit.normalized_unit!r} but the indicator's "
                f"unit normalizes to {expected!r}",
            )
    if source is None:
        problem("source", f"unknown source {obs.source!r}")
    elif source.corrected is None:
        # Its text is not ours to store: a locator says where the figure is printed.
        if obs.quote is not None:
            problem("quote", f"source {obs.source!r} keeps no text to quote: give a locator")
        if not obs.locator:
            problem(
                "locator",
                f"a figure from {obs.source!r}, whose text is not stored, needs a locator "
                "(section and paragraph, or table, row and column)",
            )
    elif obs.quote is None:
        if obs.derivation is None:
            problem("quote", f"a figure from {obs.source!r} needs the sentence it comes from")
    elif not contains_quote(source.corrected, obs.quote):
        problem(
            "quote",
            f"does not appear verbatim in source {obs.source!r} "
            "(compared without whitespace, after errata)",
        )
    if obs.value_as_published is not None:
        _check_figure(obs, unit, problem)
    if obs.derivation is not None:
        check_derivation(obs, by_code, problem)


def _check_figure(obs: ObservationSeed, unit: UnitSeed | None, problem: Report) -> None:
    figure = obs.value_as_published
    assert figure is not None
    # Without a stored sentence (a located figure) there is nothing to find it in: the value
    # must still read back from the figure as printed, and the qualifier fit its bounds.
    quote = "" if obs.quote is None else squeeze(obs.quote)
    span = None
    if obs.quote is not None:
        symbol = unit.symbol if unit else None
        span = locate_figure(quote, squeeze(figure), symbol)
        if span is None:
            printed = figure + (symbol or "")
            problem("value_as_published", f"{printed!r} does not appear in the quote as a number")
            return
    try:
        low, high = read_figure(figure)
    except ValueError as exc:
        problem("value_as_published", str(exc))
        return
    if not _reads_as(obs.value, low):
        problem("value", f"{obs.value} is not the figure printed ({figure!r} = {low})")
    if high is not None and obs.value_max != high:
        problem("value_max", f"{obs.value_max} is not the upper end printed ({figure!r} = {high})")
    words = figure if span is not None else None
    for message in wording_problems(obs.qualifier, quote, words, span, obs.value_max is not None):
        problem("qualifier", message)


def _reads_as(value: Decimal, printed: Decimal) -> bool:
    # A figure printed with its sign must be the value; one printed without it may carry
    # the sign of its wording (缩小0.17 = narrowed by 0.17, 下降3.4% = fell 3.4%).
    return value == printed if printed < 0 else abs(value) == printed


def check_derivation(
    obs: ObservationSeed, by_code: dict[str, ObservationSeed], problem: Report
) -> None:
    """A derived value against its formula and inputs (`by_code` holds at least those)."""
    derivation = obs.derivation
    assert derivation is not None
    for message in wording_problems(
        obs.qualifier, obs.quote or "", None, None, obs.value_max is not None
    ):
        problem("qualifier", message)
    values: dict[str, Decimal] = {}
    for name, code in derivation.inputs.items():
        source_obs = by_code.get(code)
        if source_obs is None or code == obs.code:
            problem("derivation", f"input {name!r} names no other observation ({code!r})")
        elif source_obs.derivation is not None:
            problem(
                "derivation", f"input {name!r} ({code!r}) is itself derived; use published inputs"
            )
        else:
            values[name] = source_obs.value
    try:
        names = formula_names(derivation.formula)
    except ValueError as exc:
        problem("derivation", str(exc))
        return
    if names != set(derivation.inputs):
        problem(
            "derivation", f"formula uses {sorted(names)} but inputs are {sorted(derivation.inputs)}"
        )
        return
    if len(values) != len(names):
        return
    result = evaluate(derivation.formula, values)
    # The stored value is the result rounded to the decimals it is written with.
    exponent = obs.value.as_tuple().exponent
    tolerance = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0) / 2
    if abs(result - obs.value) > tolerance:
        problem("value", f"derivation gives {result}, not {obs.value}")


@dataclass(frozen=True)
class Known:
    """The codes other records may refer to, and the corrected texts quotes must come from:
    all of them for the seeder, those one written record names for the write API."""

    regions: set[str]
    topics: set[str]
    indicators: set[str]
    entities: set[str]
    people: set[str]
    texts: dict[str, SourceText]
    events: set[str] = field(default_factory=set)

    def missing(self, kind: str, codes: Sequence[str | None]) -> list[str]:
        """The codes among `codes` that name no record of `kind`."""
        pool: set[str] = getattr(self, kind)
        return [code for code in codes if code is not None and code not in pool]

    def quote_problem(self, source: str, quote: str) -> str | None:
        """Why `quote` cannot be taken from `source`, or None if it can."""
        text = self.texts.get(source)
        if text is None:
            return f"unknown source {source!r}"
        if text.corrected is None:
            return f"source {source!r} keeps no text to quote from"
        if not contains_quote(text.corrected, quote):
            return (
                f"does not appear verbatim in source {source!r} "
                "(compared without whitespace, after errata)"
            )
        return None

    def refs(self, problem: Report, field: str, kind: str, codes: Sequence[str | None]) -> None:
        """One problem per code in `codes` that names no `kind` record."""
        for code in self.missing(kind, codes):
            problem(field, f"unknown {singular(kind)} {code!r}")

    def quote(self, problem: Report, field: str, source: str, quote: str) -> None:
        """A problem if `quote` is not verbatim in `source`."""
        message = self.quote_problem(source, quote)
        if message:
            problem(field, message)


def _check_observation_entities(
    file: _File, observations: list[tuple[int, ObservationSeed]], known: Known, issues: _Collector
) -> None:
    for index, obs in observations:
        known.refs(_reporter(issues, file, index), "entities", "entities", obs.entities)


def _check_entities(
    file: _File, entities: list[tuple[int, EntitySeed]], known: Known, issues: _Collector
) -> None:
    people: dict[str, str] = {}
    for index, entity in entities:
        check_entity(entity, known, people, _reporter(issues, file, index))
        people.update({person.code: entity.code for person in entity.people})


def check_entity(
    entity: EntitySeed, known: Known, people_elsewhere: dict[str, str], problem: Report
) -> None:
    """An entity's references and quotes; `people_elsewhere` maps the person codes other
    entities already list to those entities."""
    known.quote(problem, "quote", entity.source, entity.quote)
    known.refs(problem, "topics", "topics", entity.topics)
    for position, link in enumerate(entity.regions):
        known.refs(problem, f"regions[{position}].region", "regions", [link.region])
        known.quote(problem, f"regions[{position}].quote", entity.source, link.quote)
    for position, tie in enumerate(entity.related):
        known.refs(problem, f"related[{position}].entity", "entities", [tie.entity])
        if tie.entity == entity.code:
            problem(f"related[{position}].entity", "an entity cannot relate to itself")
        known.quote(problem, f"related[{position}].quote", entity.source, tie.quote)
    listed: dict[str, str] = dict(people_elsewhere)
    for position, person in enumerate(entity.people):
        if person.code in listed:
            problem(
                f"people[{position}].code",
                f"person {person.code!r} is already listed under {listed[person.code]!r}",
            )
        listed[person.code] = entity.code
        known.quote(problem, f"people[{position}].quote", entity.source, person.quote)


def _check_events(
    file: _File, events: list[tuple[int, EventSeed]], known: Known, issues: _Collector
) -> None:
    for index, event in events:
        check_event(event, known, _reporter(issues, file, index))


def check_event(event: EventSeed, known: Known, problem: Report) -> None:
    """An event's quote (or, from a source whose text is not stored, its locator) and
    references."""
    text = known.texts.get(event.source)
    if text is not None and text.corrected is None:
        if event.quote is not None:
            problem("quote", f"source {event.source!r} keeps no text to quote: give a locator")
        if not event.locator:
            problem("locator", f"a moment told by {event.source!r} needs a locator")
    elif event.quote is None:
        problem("quote", f"a moment told by {event.source!r} needs the words that tell it")
    else:
        known.quote(problem, "quote", event.source, event.quote)
    known.refs(problem, "regions", "regions", event.regions)
    known.refs(problem, "topics", "topics", event.topics)
    known.refs(problem, "entities", "entities", event.entities)
    known.refs(problem, "indicators", "indicators", event.indicators)
    if event.account_of == event.code:
        problem("account_of", "an event is not an account of itself")
    else:
        known.refs(problem, "account_of", "events", [event.account_of])


def _check_quotes(
    file: _File, quotes: list[tuple[int, QuoteSeed]], known: Known, issues: _Collector
) -> None:
    for index, quote in quotes:
        check_quote(quote, known, _reporter(issues, file, index))


def check_quote(quote: QuoteSeed, known: Known, problem: Report) -> None:
    """A quotation's text in its source, and its references."""
    known.quote(problem, "text", quote.source, quote.text)
    known.refs(problem, "speaker", "people", [quote.speaker])
    known.refs(problem, "entity", "entities", [quote.entity])
    known.refs(problem, "regions", "regions", quote.regions)
    known.refs(problem, "topic", "topics", [quote.topic])
