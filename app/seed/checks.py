"""The record's checks of itself (app/rules/checks.py) run over seed records: by the loader
over the whole bundle, by a write over the region it touches. A conflicting check is kept
only when one of its figures or events says why in a `conflict_note`, and such a note is
accepted only where something conflicts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.rules.checks import Check, CheckKind, Moment, Names, Reading, moment_checks, run_checks
from app.rules.periods import parse_period
from app.rules.witnesses import Agreement, Figure, half_step, rank_point
from app.seed.schema import (
    EventSeed,
    IndicatorSeed,
    ObservationSeed,
    RegionSeed,
    SourceSeed,
    UnitSeed,
)

Report = Callable[[str, str], None]  # (field, message) about the record being checked


@dataclass(frozen=True)
class Catalogue:
    """What the checks need besides the figures: indicators, units and sources by code,
    and the names their sentences use."""

    indicators: Mapping[str, IndicatorSeed]
    units: Mapping[str, UnitSeed]
    sources: Mapping[str, SourceSeed]
    names: Names


def catalogue(
    regions: Sequence[RegionSeed],
    indicators: Sequence[IndicatorSeed],
    units: Sequence[UnitSeed],
    sources: Sequence[SourceSeed],
) -> Catalogue:
    """The checks' catalogue from seed records."""
    return Catalogue(
        indicators={i.code: i for i in indicators},
        units={u.code: u for u in units},
        sources={s.code: s for s in sources},
        names=Names(
            regions={r.code: (r.name_zh, r.name_en) for r in regions},
            indicators={i.code: (i.name_zh, i.name_en) for i in indicators},
            sources={s.code: _source_names(s) for s in sources},
            units={u.code: (u.symbol or "", u.name_en) for u in units},
        ),
    )


def _source_names(source: SourceSeed) -> tuple[str, str]:
    # A sentence names a document by its publication or title, short: the source's record
    # says the rest.
    short = re.split(r"[:;(]", source.title_en, maxsplit=1)[0].strip()
    en = source.publication_en or f"“{short}”"
    zh = source.publication_zh or (f"《{source.title}》" if source.title else en)
    return zh, en


def figure_of(
    obs: ObservationSeed,
    indicators: Mapping[str, IndicatorSeed],
    units: Mapping[str, UnitSeed],
    sources: Mapping[str, SourceSeed],
) -> Figure | None:
    """What ranking a figure among its point's needs (None if its unit or source is unknown:
    problems said elsewhere)."""
    indicator = indicators.get(obs.indicator)
    unit = units.get(obs.unit or (indicator.unit if indicator else ""))
    source = sources.get(obs.source)
    if unit is None or source is None:
        return None
    return Figure(
        code=obs.code,
        reliability=source.reliability,
        published=source.published_date,
        normalized=obs.value * unit.factor,
        normalized_max=None if obs.value_max is None else obs.value_max * unit.factor,
        half_step=half_step(obs.value_as_published, obs.value, unit.factor),
        qualifier=obs.qualifier,
    )


def checks_of(
    observations: Sequence[ObservationSeed],
    events: Sequence[EventSeed],
    known: Catalogue,
) -> list[Check]:
    """Every check the records allow (see app/rules/checks.py)."""
    readings = []
    for obs in observations:
        figure = figure_of(obs, known.indicators, known.units, known.sources)
        indicator = known.indicators.get(obs.indicator)
        unit = known.units.get(obs.unit or (indicator.unit if indicator else ""))
        if figure is None or unit is None:
            continue  # an unknown unit or source: said elsewhere
        readings.append(
            Reading(
                figure=figure,
                indicator=obs.indicator,
                region=obs.regions[0],
                period=parse_period(obs.period).label,
                source=obs.source,
                value=obs.value,
                unit=unit.code,
                factor=unit.factor,
                normalized_unit=unit.normalized_unit,
                derived_from=frozenset(obs.derivation.inputs.values() if obs.derivation else ()),
            )
        )
    points: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
    for reading in readings:
        points[(reading.indicator, reading.region, reading.period)].append(reading.figure)
    headlines = {
        code: headline
        for figures in points.values()
        for code, (headline, _) in rank_point(figures).items()
    }
    moments = [
        Moment(
            e.code,
            e.period,
            e.source,
            e.regions[0] if e.regions else "",
            e.account_of,
            e.title_zh,
            e.title_en,
        )
        for e in events
    ]
    return run_checks(readings, headlines, known.names) + moment_checks(moments, known.names)


def acknowledge(
    checks: Sequence[Check],
    notes: Mapping[str, str | None],
    problem_for: Callable[[str], Report],
    written: str | None = None,
) -> None:
    """Give each conflicting check the `conflict_note`s of its records, and report a
    conflicting check none of whose records explains it, and a note where nothing conflicts.

    `notes` maps the code of every figure and event in scope to its conflict_note. A witness
    that conflicts with its headline explains itself (its own note, as the witness rule of
    loader.check_point asks, which reports it when checking the point the `written` record
    is at); any record of another check may explain it. A conflict is reported on the
    `written` record when it is one of the check's (it can carry the note), else on the
    witness, or the figure the check expects."""
    conflicting: set[str] = set()
    for check in checks:
        if check.verdict is not Agreement.conflicting:
            continue
        conflicting.update(check.records)
        witness = check.kind is CheckKind.sources_agree
        explaining = check.records[:1] if witness else check.records
        said = [f"{code}: {notes[code]}" for code in explaining if notes.get(code)]
        check.conflict_note = "; ".join(said) or None
        if check.conflict_note is not None or (witness and written in (None, *check.records)):
            continue
        blamed = written if written in check.records else None
        blamed = blamed or (check.records[0] if witness else check.expected_code)
        where = "the witness" if witness else "one of them"
        problem_for(blamed or check.records[0])(
            "conflict_note",
            f"check {check.code!r} conflicts ({check.sentence_en}) Keep the figures only "
            f"with a conflict_note on {where} saying why",
        )
    for code, note in notes.items():
        if note and code not in conflicting:
            problem_for(code)(
                "conflict_note",
                "no other source's figure for this point and no check of the record "
                "conflicts with it",
            )
