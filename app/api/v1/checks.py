"""Checks: what the record verifies about itself, each with its inputs and verdict."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    RegionCodeText,
    SessionDep,
    SlugText,
    VocabularyCodeText,
    page_of,
    url,
)
from app.api.presenters import unit_labels
from app.api.routing import DataRoute
from app.rules.checks import CheckKind
from app.rules.languages import Language, pick
from app.rules.witnesses import Agreement
from app.schemas.common import Page
from app.schemas.resources import CheckRead, CheckRecordRef
from app.services.checks import CheckRecord, get_check, list_checks
from app.services.series import UnitLabel

router = APIRouter(
    prefix=f"{V1_PREFIX}/checks",
    tags=["checks"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


def _read(record: CheckRecord, lang: Language, request: Request) -> CheckRead:
    check = record.check
    detail = json.loads(check.detail)
    kind = CheckKind(check.kind)
    resource = "events" if kind is CheckKind.same_moment else "observations"

    def ref(name: str, code: str) -> CheckRecordRef:
        return CheckRecordRef(
            name=name,
            record=resource[:-1],
            code=code,
            url=url(request, f"/v1/{resource}/{code}"),
        )

    expected = detail["expected"]
    return CheckRead(
        code=check.code,
        kind=kind,
        verdict=Agreement(check.verdict),
        title=pick(lang, check.title_zh, check.title_en),
        title_zh=check.title_zh,
        title_en=check.title_en,
        sentence=pick(lang, check.sentence_zh, check.sentence_en),
        sentence_zh=check.sentence_zh,
        sentence_en=check.sentence_en,
        formula=check.formula,
        inputs=[ref(i["name"], i["code"]) for i in detail["inputs"]],
        expected=check.expected,
        expected_record=ref("expected", expected) if expected else None,
        actual=check.actual,
        # Every check but a witness's and a date's computes its actual value.
        actual_derived=kind not in (CheckKind.sources_agree, CheckKind.same_moment),
        tolerance=check.tolerance,
        **_unit(record.unit, lang),
        conflict_note=check.conflict_note,
        regions=record.links.get("region", []),
        indicators=record.links.get("indicator", []),
        sources=record.links.get("source", []),
        url=url(request, f"/v1/checks/{check.code}"),
    )


def _unit(unit: UnitLabel | None, lang: Language) -> dict[str, Any]:
    """The unit of a check's values (none for a date check). A unit printed as nothing (a
    ratio, a rank) is shown by its code as `unit`, as it always was."""
    if unit is None:
        return dict.fromkeys(("unit", "unit_code", "unit_name", "unit_name_zh", "unit_name_en"))
    return {**unit_labels(unit, lang), "unit": unit.symbol or unit.code}


@router.get("", responses=LIST_ERRORS, operation_id="listChecks")
def get_checks(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    region: Annotated[
        RegionCodeText | None, Query(description="Only checks about this region.")
    ] = None,
    indicator: Annotated[
        VocabularyCodeText | None, Query(description="Only checks reading this indicator.")
    ] = None,
    source: Annotated[
        SlugText | None,
        Query(description="Only checks reading a figure or event of this source."),
    ] = None,
    observation: Annotated[
        SlugText | None, Query(description="Only checks reading this observation.")
    ] = None,
    verdict: Annotated[
        Agreement | None, Query(description="Only checks with this verdict.")
    ] = None,
    kind: Annotated[CheckKind | None, Query(description="Only checks of this kind.")] = None,
) -> Page[CheckRead]:
    """List the checks the record makes about itself, by code.

    Parts against totals, shares against 100, a rate against its numerator and denominator,
    birth rate minus death rate, a level less its printed change, a witness against its
    point's headline, one account's date against another's. Derived from the figures by the
    seeder and by every write; a conflicting check exists only with a conflict_note.
    """
    records, total = list_checks(
        session,
        region=region,
        indicator=indicator,
        source=source,
        observation=observation,
        verdict=verdict,
        kind=kind,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [_read(r, lang, request) for r in records]
    return page_of(Page[CheckRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getCheck")
def get_check_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[
        str, Path(description="Check code, e.g. parts-sum-jinzhong-bulletin-2024-140700-2024.")
    ],
) -> CheckRead:
    """One check with its inputs, formula, expected and actual values, and verdict."""
    return _read(get_check(session, code), lang, request)
