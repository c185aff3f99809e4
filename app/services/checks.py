"""Check queries: the record's checks of itself, filtered by what they are about."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import DataCheck, DataCheckLink, Indicator, Observation, Region, Source, Unit
from app.rules.checks import CheckKind
from app.rules.witnesses import Agreement
from app.services.common import fetch_page, require_codes
from app.services.series import UnitLabel, unit_label


@dataclass(frozen=True)
class CheckRecord:
    """A check with the codes it is about, by dimension (region, indicator, source, ...)."""

    check: DataCheck
    links: dict[str, list[str]] = field(default_factory=dict)
    unit: UnitLabel | None = None  # the unit its values are in; None for a date check


def list_checks(
    session: Session,
    *,
    region: str | None = None,
    indicator: str | None = None,
    source: str | None = None,
    observation: str | None = None,
    verdict: Agreement | None = None,
    kind: CheckKind | None = None,
    limit: int,
    offset: int,
) -> tuple[list[CheckRecord], int]:
    """Checks by code, narrowed to those about a region, indicator, source or observation,
    with a verdict or of a kind; a 422 naming the parameter for an unknown code."""
    query = select(DataCheck)
    require_codes(session, Region, [region] if region else None, "region")
    require_codes(session, Indicator, [indicator] if indicator else None, "indicator")
    require_codes(session, Source, [source] if source else None, "source")
    require_codes(session, Observation, [observation] if observation else None, "observation")
    for dimension, code in (
        ("region", region),
        ("indicator", indicator),
        ("source", source),
        ("observation", observation),
    ):
        if code is not None:
            about = select(DataCheckLink.check_code).where(
                DataCheckLink.dimension == dimension, DataCheckLink.code == code
            )
            query = query.where(col(DataCheck.code).in_(about))
    if verdict is not None:
        query = query.where(DataCheck.verdict == verdict.value)
    if kind is not None:
        query = query.where(DataCheck.kind == kind.value)
    rows, total = fetch_page(
        session, query.order_by(col(DataCheck.code)), limit=limit, offset=offset
    )
    return _records(session, rows), total


def get_check(session: Session, code: str) -> CheckRecord:
    """One check; NotFoundError if the code is unknown."""
    row = session.get(DataCheck, code)
    if row is None:
        raise NotFoundError(f"No check with code {code!r}.")
    return _records(session, [row])[0]


def _records(session: Session, rows: list[DataCheck]) -> list[CheckRecord]:
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    query = (
        select(DataCheckLink)
        .where(col(DataCheckLink.check_code).in_([r.code for r in rows]))
        .order_by(
            col(DataCheckLink.check_code), col(DataCheckLink.dimension), col(DataCheckLink.code)
        )
    )
    for link in session.exec(query):
        links[link.check_code][link.dimension].append(link.code)
    unit_codes = sorted({r.unit_code for r in rows if r.unit_code})
    units = {
        unit.code: unit_label(unit)
        for unit in session.exec(select(Unit).where(col(Unit.code).in_(unit_codes)))
    }
    return [CheckRecord(row, dict(links[row.code]), units.get(row.unit_code or "")) for row in rows]
