"""Writes through the API, with the seeder's own validation and a history of every change.

A write is one unit of work, under the same lock as the seeder: the data is exported in the
seed_data/ format, the one record is added, changed or removed there, the whole set is
validated by the loader that validates seed_data/ (references, verbatim quotes, units, the
published figure in its quote...), and the seeder's own sync makes the database hold it.
Nothing else writes rows, so a write can never store what a seed would refuse, and the
YAML export always reflects it. Each record's version is a strong ETag of its seed form:
writes to an existing record must name it (If-Match), so no concurrent edit is lost.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from app.models import Change
from app.rules.resources import one, singular
from app.schemas.common import FieldError
from app.seed.export import SOURCES_DIR, export_documents, write_documents
from app.seed.loader import SEED_FILES, SeedError, load_bundle
from app.seed.sync import apply_bundle

# Resources curators may write, by their URL name (also their seed_data/ kind).
RESOURCES = ("sources", "indicators", "observations", "events", "entities", "quotes")
# A source's text travels in its record under this key (in seed_data/ it is a file).
TEXT_KEY = "text"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Written:
    """The record after a write (None once retired), its ETag and the change recorded."""

    record: dict[str, Any] | None
    etag: str | None
    change: Change | None  # None when the write changed nothing


def record_etag(record: dict[str, Any]) -> str:
    """A strong ETag of a record's seed form: it changes exactly when the record does."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _matches(if_match: str, etag: str) -> bool:
    # RFC 9110 13.1.1: a list of strong ETags, or *; weak ones never match.
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def _file(resource: str) -> str:
    return SEED_FILES[resource][0]


def _with_text(resource: str, record: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    if resource == "sources":
        record = {**record, TEXT_KEY: texts[record["text_file"]]}
    # As JSON has it (a source's date as its ISO text): what clients send back and what the
    # ETag and the history are made of.
    plain: dict[str, Any] = json.loads(json.dumps(record, ensure_ascii=False, default=str))
    return plain


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
    """A record in its seed form (a source with its text), as PATCH and POST take it."""
    documents, texts = export_documents(session)
    for record in documents[_file(resource)]:
        if record["code"] == code:
            return _with_text(resource, record, texts)
    raise NotFoundError(f"No {singular(resource)} with code {code!r}.")


def history(session: Session, resource: str, code: str) -> list[Change]:
    """Every change to one record, newest first."""
    return list(
        session.exec(
            select(Change)
            .where(col(Change.resource) == resource, col(Change.code) == code)
            .order_by(col(Change.at).desc(), col(Change.id).desc())
        )
    )


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
    with exclusive(engine, "seed"), Session(engine) as session, session.begin():
        documents, texts = export_documents(session)
        records = documents[_file(resource)]
        if action == "create":
            assert body is not None
            code = body.get("code")
            if not isinstance(code, str) or not SLUG.fullmatch(code):
                # Checked before anything is built from it (a source's code names a file).
                raise InvalidBodyError(
                    "A new record needs a code of lowercase letters, digits and hyphens.",
                    errors=[FieldError(location="body", name="code", message="not a valid code")],
                )
            if any(r["code"] == code for r in records):
                raise ConflictError(f"There is {one(resource)} with code {code!r} already.")
            before = None
            position = len(records)
            records.append({})
        else:
            assert code is not None
            position = next((i for i, r in enumerate(records) if r["code"] == code), -1)
            if position < 0:
                raise NotFoundError(f"No {singular(resource)} with code {code!r}.")
            before = _with_text(resource, records[position], texts)
            current = record_etag(before)
            if if_match is None:
                raise PreconditionRequiredError(
                    f"Send If-Match with the record's ETag ({current} now): GET "
                    f"/v1/{resource}/{code}/record gives it."
                )
            if not _matches(if_match, current):
                raise PreconditionFailedError(
                    f"The record has changed since that ETag was read; it is {current} now."
                )
        after: dict[str, Any] | None
        if action == "retire":
            del records[position]
            after = None
        else:
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
            records[position] = after
            if resource == "sources":
                text_file = f"{SOURCES_DIR}/{code}.md"
                text = after.pop(TEXT_KEY, None)
                if text is not None and not isinstance(text, str):
                    raise InvalidBodyError(
                        "A source's text is a string.",
                        errors=[FieldError(location="body", name=TEXT_KEY, message="not text")],
                    )
                if text is not None:
                    texts[text_file] = text
                after["text_file"] = text_file
        bundle = _validated(documents, texts, resource, None if action == "retire" else position)
        apply_bundle(session, bundle, by_api=True)
        # The record as stored, in its canonical seed form (numbers normalized, order kept).
        stored = None if after is None else editable_record(session, resource, str(code))
        change = Change(
            resource=resource,
            code=str(code),
            action=action,
            key_name=key_name,
            at=datetime.now(UTC).isoformat(timespec="microseconds"),
            reason=reason,
            before=None if before is None else json.dumps(before, ensure_ascii=False),
            after=None if stored is None else json.dumps(stored, ensure_ascii=False),
        )
        session.add(change)
        session.flush()
        session.expunge(change)
    return Written(stored, None if stored is None else record_etag(stored), change)


def _validated(
    documents: dict[str, list[dict[str, Any]]],
    texts: dict[str, str],
    resource: str,
    position: int | None,
) -> Any:
    """The documents checked by the seed loader, in a folder of their own; its problems as a
    422 naming the written record's fields (or, for a record it breaks, that record's)."""
    with tempfile.TemporaryDirectory(prefix="jinzhong-write-") as folder:
        root = Path(folder)
        try:
            write_documents(documents, texts, root)
        except ValueError as exc:
            raise InvalidBodyError(str(exc)) from None
        try:
            return load_bundle(root)
        except SeedError as exc:
            # A retired record has no fields left: what breaks is named as it stands.
            own = f"{resource}[{position}]" if position is not None else None
            errors = []
            for issue in exc.issues:
                if own and (issue.field == own or issue.field.startswith(own + ".")):
                    name = issue.field[len(own) + 1 :] or "body"
                else:
                    name = issue.field  # another record that this write would break
                errors.append(FieldError(location="body", name=name, message=issue.message))
            details = "; ".join(f"{e.name}: {e.message}" for e in errors)
            raise InvalidBodyError(f"The record was not saved: {details}", errors=errors) from None
