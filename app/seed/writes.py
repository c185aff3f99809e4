"""One observation written through the API, at the cost of that one record.

It is checked by the seeder's own rules (`check_observation`) against only the records it
refers to, read by key; the observations derived from it are checked again with it; then its
row, its links and its search documents are replaced. The whole-dataset check stays for
seeding, and a test runs it on the data after every kind of write, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from app.models import (
    DerivationInput,
    Entity,
    Observation,
    ObservationEntity,
    ObservationRegion,
    Region,
    Source,
)
from app.rules.periods import parse_period
from app.seed.loader import SourceText, check_derivation, check_observation
from app.seed.records import UnitFactor, observation_rows, read_records
from app.seed.schema import IndicatorSeed, ObservationSeed, UnitSeed
from app.store.search_index import refresh_observation_documents

# The link tables of an observation, replaced whole with its row.
_LINKS: tuple[type[SQLModel], ...] = (ObservationRegion, ObservationEntity, DerivationInput)


class RecordError(Exception):
    """What is wrong with a write: (field, message) pairs. A field of another record that
    the write would break is named `observations[<code>].<field>`."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems))


def dotted(location: Sequence[int | str]) -> str:
    """A pydantic error location as the seed's field names have it: regions[0], value."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def write_observation(session: Session, code: str, record: dict[str, Any] | None) -> None:
    """Make the database hold `record` as observation `code` (None: retire it), or raise
    RecordError naming every rule it breaks, before anything is written."""
    problems: list[tuple[str, str]] = []
    seed = unit = None
    if record is not None:
        try:
            seed = ObservationSeed.model_validate(record)
        except ValidationError as exc:
            raise RecordError([(dotted(e["loc"]), e["msg"]) for e in exc.errors()]) from None
        unit = _check(session, seed, lambda field, message: problems.append((field, message)))
    _check_dependents(session, code, seed, problems)
    if problems:
        raise RecordError(problems)
    current = session.get(Observation, code)
    touched = {current.indicator_code} if current else set()
    for link in _LINKS:
        session.exec(delete(link).where(col(link.observation_code) == code))  # type: ignore[attr-defined]
    if seed is None or unit is None:
        if current is not None:
            session.delete(current)
    else:
        known_from = current.known_from if current else ""  # keep_version sets it
        row, *links = observation_rows(seed, unit, known_from)
        if current is None:
            session.add(row)
        else:
            for name, value in row.model_dump().items():
                if name != "known_from":
                    setattr(current, name, value)
        session.flush()
        session.add_all(links)
        touched.add(seed.indicator)
    session.flush()
    refresh_observation_documents(session, [code], sorted(touched))


def _check(session: Session, seed: ObservationSeed, problem: Any) -> UnitFactor | None:
    """The seeder's rules for one observation, with what it refers to read by key; return
    its unit, as its rows need it (None if it has none: a problem, then)."""
    indicators = read_records(session, "indicators", [seed.indicator])
    indicator = IndicatorSeed.model_validate(indicators[0]) if indicators else None
    wanted = {code for code in (seed.unit, indicator.unit if indicator else None) if code}
    units = {
        u["code"]: UnitSeed.model_validate(u)
        for u in read_records(session, "units", sorted(wanted))
    }
    regions = set(session.exec(select(Region.code).where(col(Region.code).in_(seed.regions))).all())
    source_row = session.get(Source, seed.source)
    source = None if source_row is None else SourceText(source_row.text_original, source_row.text)
    inputs = sorted(seed.derivation.inputs.values()) if seed.derivation else []
    check_observation(
        seed,
        indicator=indicator,
        units=units,
        known_regions=regions,
        source=source,
        by_code=_observations(session, inputs),
        problem=problem,
    )
    # One figure per indicator, main region and period (a series point).
    label = parse_period(seed.period).label
    other = session.exec(
        select(Observation.code).where(
            Observation.indicator_code == seed.indicator,
            Observation.region_code == seed.regions[0],
            Observation.period == label,
            Observation.code != seed.code,
        )
    ).first()
    if other is not None:
        problem(
            "period",
            f"{other!r} already gives {seed.indicator} for {seed.regions[0]} in {seed.period}",
        )
    known = set(session.exec(select(Entity.code).where(col(Entity.code).in_(seed.entities))))
    for code in seed.entities:
        if code not in known:
            problem("entities", f"unknown entity {code!r}")
    unit = units.get(seed.unit or (indicator.unit if indicator else ""))
    return UnitFactor(unit.code, unit.factor) if unit else None


def _check_dependents(
    session: Session, code: str, seed: ObservationSeed | None, problems: list[tuple[str, str]]
) -> None:
    """The observations derived from `code` checked again with its new version (or without
    it, when it is retired)."""
    dependents = sorted(
        set(
            session.exec(
                select(DerivationInput.observation_code).where(DerivationInput.input_code == code)
            )
        )
    )
    for derived in _observations(session, dependents).values():
        assert derived.derivation is not None
        by_code = _observations(session, sorted(derived.derivation.inputs.values()))
        by_code.pop(code, None)
        if seed is not None:
            by_code[code] = seed

        def problem(field: str, message: str, derived: str = derived.code) -> None:
            problems.append((f"observations[{derived}].{field}", message))

        check_derivation(derived, by_code, problem)


def _observations(session: Session, codes: Sequence[str]) -> dict[str, ObservationSeed]:
    return {
        r["code"]: ObservationSeed.model_validate(r)
        for r in read_records(session, "observations", codes)
    }
