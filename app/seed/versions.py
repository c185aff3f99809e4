"""Versions as data: every change to a record, from a seed or an API write, kept with the
time it became known (ALFRED's real-time period).

A record's versions are rows of `record_version` in its seed_data/ form; the one without
`known_until` is current. The first version of a record that a seed brings is known from its
source's publication (the figure was public from then, whenever this database learned it);
every later version, and every record an API write creates, from the moment of that change.
An observation's superseded versions are also kept as rows (`observation_vintage`), so the
data as it stood at any moment is a query, not a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import (
    Indicator,
    Observation,
    ObservationVintage,
    ObservationVintageRegion,
    RecordVersion,
    Source,
    Unit,
)
from app.rules.moments import first_public
from app.seed.records import TABLES, UnitFactor, observation_row, read_records
from app.seed.schema import ObservationSeed


def record_etag(record: dict[str, Any]) -> str:
    """A strong ETag of a record's seed form: it changes exactly when the record does."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def as_json(record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON has it (a date as its ISO text): what versions and ETags are made of."""
    plain: dict[str, Any] = json.loads(json.dumps(record, ensure_ascii=False, default=str))
    return plain


def as_text(record: dict[str, Any]) -> str:
    """A record as stored in its version: compact JSON, as the API serves it."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def current_version(session: Session, resource: str, code: str) -> RecordVersion | None:
    """The record's newest version (its retirement, if it was retired), or None."""
    return session.exec(
        select(RecordVersion)
        .where(col(RecordVersion.resource) == resource, col(RecordVersion.code) == code)
        .order_by(col(RecordVersion.version).desc())
        .limit(1)
    ).first()


def keep_version(
    session: Session,
    resource: str,
    code: str,
    record: dict[str, Any] | None,
    *,
    at: str,
    origin: str,
    key_name: str | None = None,
    reason: str | None = None,
    first_known: str | None = None,
    current: RecordVersion | None = None,
) -> RecordVersion | None:
    """Record `record` (None: retired) as the record's new version, if it differs from the
    current one; return the new version, or None if nothing changed.

    `first_known` is when a record new to the database was first public (a seed's source
    publication); `current` spares the look-up when the caller has it already.
    """
    current = current if current is not None else current_version(session, resource, code)
    live = current is not None and current.known_until is None and current.record is not None
    etag = None if record is None else record_etag(as_json(record))
    if (record is None and not live) or (live and current and _etag(current) == etag):
        return None
    action = "retire" if record is None else "update" if live else "create"
    known_from = at
    if action == "create" and current is None and first_known is not None:
        known_from = min(first_known, at)
    if current is not None and current.known_until is None:
        current.known_until = at
        session.add(current)
        if live and resource == "observations" and current.record is not None:
            _keep_vintage(session, json.loads(current.record), current.known_from, at)
    version = RecordVersion(
        resource=resource,
        code=code,
        version=(current.version + 1) if current else 1,
        known_from=known_from,
        known_until=None,
        origin=origin,
        action=action,
        key_name=key_name,
        reason=reason,
        record=None if record is None else as_text(as_json(record)),
        etag=etag,
    )
    session.add(version)
    if resource == "observations" and record is not None:
        session.flush()
        session.connection().execute(
            update(Observation).where(col(Observation.code) == code).values(known_from=known_from)
        )
    return version


def _etag(version: RecordVersion) -> str | None:
    if version.etag is None and version.record is not None:
        # Versions carried over from the change history have no ETag stored.
        return record_etag(json.loads(version.record))
    return version.etag


def _keep_vintage(session: Session, record: dict[str, Any], known_from: str, until: str) -> None:
    """An observation version's row, as it stood from `known_from` until `until`."""
    seed = ObservationSeed.model_validate(record)
    unit_code = (
        seed.unit
        or session.exec(
            select(Indicator.unit_code).where(col(Indicator.code) == seed.indicator)
        ).one()
    )
    factor = session.exec(select(Unit.factor).where(col(Unit.code) == unit_code)).one()
    row = observation_row(seed, UnitFactor(unit_code, Decimal(repr(factor))), known_from)
    live = session.get(Observation, seed.code)
    if live is not None:
        # Its point's ranking as the live row has it: a witness stays one in `as_of` lists
        # (a ranking that changed with this write is not told apart).
        row.witness_of, row.agreement = live.witness_of, live.agreement
    inputs = sorted(seed.derivation.inputs.items()) if seed.derivation else []
    session.add(
        ObservationVintage(
            **row.model_dump(),
            known_until=until,
            entity_codes=" ".join(seed.entities),
            inputs=json.dumps(inputs, ensure_ascii=False),
        )
    )
    session.add_all(
        ObservationVintageRegion(
            observation_code=seed.code, known_from=known_from, region_code=code, position=n
        )
        for n, code in enumerate(seed.regions)
    )


def keep_seed_versions(session: Session, at: str) -> int:
    """After a seed: a new version of every record that it created, changed or removed;
    return how many. Records the seed left alone keep their versions."""
    published = {
        code: first_public(day, read_on)
        for code, day, read_on in session.exec(
            select(col(Source.code), col(Source.published_date), col(Source.read_on))
        )
    }
    written = 0
    for resource in TABLES:
        currents = {
            v.code: v
            for v in session.exec(
                select(RecordVersion).where(
                    col(RecordVersion.resource) == resource,
                    col(RecordVersion.known_until).is_(None),
                )
            )
        }
        records = {r["code"]: r for r in read_records(session, resource, with_text=True)}
        for code, record in records.items():
            current = currents.pop(code, None)
            source = code if resource == "sources" else record.get("source")
            first = published.get(source) if isinstance(source, str) else None
            written += (
                keep_version(
                    session,
                    resource,
                    code,
                    record,
                    at=at,
                    origin="seed",
                    first_known=first,
                    current=current,
                )
                is not None
            )
        for code, current in currents.items():
            written += (
                keep_version(session, resource, code, None, at=at, origin="seed", current=current)
                is not None
            )
    session.flush()
    return written
