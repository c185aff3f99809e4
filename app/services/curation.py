"""Writes through the API, with the seeder's own validation and a history of every change.

A write is one unit of work, under the same lock as the seeder: the record, in its
seed_data/ form, is checked by the seeder's own per-record rules (references, verbatim
quotes, units, the published figure in its quote...) against the records it refers to, the
records that refer to it are checked again, and only then are its rows written
(`app/seed/writes.py`). A write can never store what a seed would refuse, and the YAML
export always reflects it. Each record's version is a strong ETag of its seed form: writes
to an existing record must name it (If-Match), so no concurrent edit is lost.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import exclusive
from app.errors import (
    ConflictError,
    InvalidBodyError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from app.models import RecordVersion, Source
from app.rules import moments
from app.rules.resources import one, singular
from app.schemas.common import FieldError

# The seeder's modules (app.seed: its rules, the YAML reader) are imported by the functions
# that use them, at the first write or record read: a server that only reads never loads
# them, and starts that much sooner (tests/test_cold_start.py).

# Resources curators may write, by their URL name (also their seed_data/ kind).
RESOURCES = ("sources", "indicators", "observations", "events", "entities", "quotes")


@cache
def _code_type(resource: str) -> TypeAdapter[str]:
    """A resource's code as its seed model declares it (a slug; snake_case for indicators)."""
    from app.seed.loader import SEED_FILES

    declared = SEED_FILES[resource][1].model_fields["code"]
    return TypeAdapter(Annotated[declared.annotation, *declared.metadata])  # type: ignore[arg-type]


__all__ = ["RESOURCES", "Written", "editable_record", "history", "write"]


@dataclass(frozen=True)
class Written:
    """The record after a write (None once retired), its ETag and the change recorded."""

    record: dict[str, Any] | None
    etag: str | None
    version: RecordVersion | None  # None when the write changed nothing


def _matches(if_match: str, etag: str) -> bool:
    # RFC 9110 13.1.1: a list of strong ETags, or *; weak ones never match.
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, at every depth; null removes; anything else
    (arrays included) replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def editable_record(session: Session, resource: str, code: str) -> dict[str, Any]:
    """A record in its seed form (a source with its text), as PATCH and POST take it: read
    from its own rows, whatever the size of the rest."""
    from app.seed.records import read_records
    from app.seed.versions import as_json

    found = read_records(session, resource, [code], with_text=True)
    if not found:
        raise NotFoundError(f"No {singular(resource)} with code {code!r}.")
    return as_json(found[0])


def stored_record(session: Session, resource: str, code: str) -> tuple[str, str]:
    """A record's editable form as JSON text, and its ETag: its current version, one row;
    read from its rows only if it has no version (`jinzhong synth` writes rows alone)."""
    from app.seed.versions import as_text, current_version, record_etag

    version = current_version(session, resource, code)
    if version is None:
        record = editable_record(session, resource, code)
        return as_text(record), record_etag(record)
    if version.record is None:
        raise NotFoundError(f"No {singular(resource)} with code {code!r}.")
    return version.record, version.etag or record_etag(json.loads(version.record))


# A page of versions and one more: plain SQL, parsed once (the hot part of /history).
_VERSIONS = text(
    "SELECT version, known_from, known_until, origin, key_name, action, reason, record "
    "FROM record_version WHERE resource = :resource AND code = :code "
    "ORDER BY version DESC LIMIT :limit OFFSET :offset"
)


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One version in a record's history, with its record and the one before, parsed."""

    version: int
    known_from: str
    known_until: str | None
    origin: str
    key_name: str | None
    action: str
    reason: str | None
    record: dict[str, Any] | None
    previous: dict[str, Any] | None


def history(
    session: Session, resource: str, code: str, *, limit: int, offset: int
) -> tuple[list[VersionEntry], int]:
    """A page of a record's versions, newest first, each with the record before it; and
    how many there are."""
    # Versions are numbered from 1 without gaps: the row after the page's last is the
    # version before it, and the newest version's number is how many there are.
    rows = (
        session.connection()
        .execute(
            _VERSIONS,
            {"resource": resource, "code": code, "limit": limit + 1, "offset": offset},
        )
        .all()
    )
    if rows:
        total = rows[0].version + offset
    else:
        newest = select(func.max(RecordVersion.version)).where(
            col(RecordVersion.resource) == resource, col(RecordVersion.code) == code
        )
        total = session.exec(newest).one() or 0
    records = [None if row.record is None else json.loads(row.record) for row in rows]
    entries = [
        VersionEntry(
            version=row.version,
            known_from=row.known_from,
            known_until=row.known_until,
            origin=row.origin,
            key_name=row.key_name,
            action=row.action,
            reason=row.reason,
            record=records[n],
            previous=records[n + 1] if n + 1 < len(rows) else None,
        )
        for n, row in enumerate(rows[:limit])
    ]
    return entries, int(total)


def write(
    engine: Engine,
    resource: str,
    *,
    action: str,
    code: str | None,
    body: dict[str, Any] | None,
    if_match: str | None,
    key_name: str,
    reason: str | None,
) -> Written:
    """Create (body), update (code, a merge patch) or retire (code) one record, all or
    nothing; raise a problem naming what is wrong."""
    from app.seed.records import read_records
    from app.seed.versions import keep_version, record_etag

    with exclusive(engine, "seed"), Session(engine) as session, session.begin():
        if action == "create":
            assert body is not None
            code = body.get("code")
            if not _valid_code(resource, code):
                # Checked before anything is built from it (a source's code names a file).
                pattern = "snake_case" if resource == "indicators" else "lowercase-with-hyphens"
                raise InvalidBodyError(
                    f"A new {singular(resource)} needs a code, {pattern}.",
                    errors=[FieldError(location="body", name="code", message="not a valid code")],
                )
            assert isinstance(code, str)
            if read_records(session, resource, [code]):
                raise ConflictError(f"There is {one(resource)} with code {code!r} already.")
            before = None
        else:
            assert code is not None
            # As /record serves it, so the ETag a client read is the one compared.
            current, etag = stored_record(session, resource, code)
            _check_precondition(resource, code, etag, if_match)
            before = json.loads(current)
            _adopt(session, resource, code, before)
        after: dict[str, Any] | None = None
        if action != "retire":
            assert body is not None
            if action == "update" and "code" in body and body["code"] != code:
                raise InvalidBodyError(
                    "A record's code cannot change; create a new record instead.",
                    errors=[FieldError(location="body", name="code", message="cannot change")],
                )
            after = merge_patch(before or {}, body)
            if after == before:
                # Nothing to change: no new version, no history entry.
                assert before is not None
                return Written(before, record_etag(before), None)
        _write_one(session, resource, code, after)
        # The record as stored, in its canonical seed form (numbers normalized, order kept).
        stored = None if after is None else editable_record(session, resource, code)
        version = keep_version(
            session,
            resource,
            code,
            stored,
            at=moments.now(),
            origin="api",
            key_name=key_name,
            reason=reason,
        )
        session.flush()
        if version is not None:
            session.expunge(version)
    return Written(stored, None if stored is None else record_etag(stored), version)


def _adopt(session: Session, resource: str, code: str, record: dict[str, Any]) -> None:
    """A record with rows but no version (`jinzhong synth` writes rows alone) gets its first
    version before it is changed, known from when its source was published: its history
    then starts where it did, and the write is an update, not a creation."""
    from app.seed.versions import current_version, keep_version

    if current_version(session, resource, code) is not None:
        return
    source = session.get(Source, record.get("source", code if resource == "sources" else ""))
    first_known = (
        None if source is None else moments.first_public(source.published_date, source.read_on)
    )
    keep_version(
        session, resource, code, record, at=moments.now(), origin="seed", first_known=first_known
    )
    session.flush()


def _valid_code(resource: str, code: Any) -> bool:
    try:
        _code_type(resource).validate_python(code, strict=True)
    except ValidationError:
        return False
    return True


def _check_precondition(resource: str, code: str, current: str, if_match: str | None) -> None:
    if if_match is None:
        raise PreconditionRequiredError(
            f"Send If-Match with the record's ETag ({current} now): GET "
            f"/v1/{resource}/{code}/record gives it."
        )
    if not _matches(if_match, current):
        raise PreconditionFailedError(
            f"The record has changed since that ETag was read; it is {current} now."
        )


def _write_one(session: Session, resource: str, code: str, after: dict[str, Any] | None) -> None:
    """A write checks and touches that record (and those that refer to it or copy from it)
    only: at the cost of one record, however large the rest."""
    from app.seed.sync import current_data_version, mark_data_version
    from app.seed.writes import RecordError, write_record

    try:
        write_record(session, resource, code, after)
    except RecordError as exc:
        raise _not_saved(exc.problems) from None
    # A new data version, made from the last one and this change (no seed folder to hash).
    previous = current_data_version(session)
    change = json.dumps([previous, resource, code, after], sort_keys=True, ensure_ascii=False)
    version = hashlib.sha256(change.encode()).hexdigest()
    mark_data_version(session, version, changed=True, by_api=True)


def _not_saved(problems: list[tuple[str, str]]) -> InvalidBodyError:
    errors = [FieldError(location="body", name=name, message=text) for name, text in problems]
    details = "; ".join(f"{e.name}: {e.message}" for e in errors)
    return InvalidBodyError(f"The record was not saved: {details}", errors=errors)
