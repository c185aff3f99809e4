"""Sources: the published reports, their errata and their text."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    SessionDep,
    page_of,
    problem_responses,
    url,
)
from app.api.routing import DataRoute
from app.errors import NotFoundError
from app.rules.languages import Language, pick
from app.schemas.common import Page
from app.schemas.resources import ErratumRead, SourceDetail, SourceRead
from app.services.sources import SourceRecord, get_source, list_sources

router = APIRouter(
    prefix=f"{V1_PREFIX}/sources",
    tags=["sources"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)
CodePath = Annotated[str, Path(description="Source code, e.g. jzrb-2025-10-24-p03.")]


def _pick(lang: Language, zh: str | None, en: str | None) -> str | None:
    return None if zh is None and en is None else pick(lang, zh or en or "", en or zh or "")


def _read(record: SourceRecord, lang: Language, request: Request) -> SourceRead:
    source = record.source
    has_text = source.text is not None
    return SourceRead(
        code=source.code,
        kind=source.kind,
        publication=_pick(lang, source.publication_zh, source.publication_en),
        publication_zh=source.publication_zh,
        publication_en=source.publication_en,
        publisher=_pick(lang, source.publisher_zh, source.publisher_en),
        publisher_zh=source.publisher_zh,
        publisher_en=source.publisher_en,
        published_date=source.published_date,
        page=source.page,
        page_heading=source.page_heading,
        series=source.series,
        title=_pick(lang, source.title, source.title_en) or source.title_en,
        title_zh=source.title,
        title_en=source.title_en,
        subtitle=_pick(lang, source.subtitle, source.subtitle_en),
        subtitle_zh=source.subtitle,
        subtitle_en=source.subtitle_en,
        reporter=source.reporter,
        language=source.language,
        published_url=source.url,
        copy_site_en=source.copy_site_en,
        read_on=source.read_on,
        reliability=source.reliability,
        reliability_note=source.reliability_note,
        licence_note=source.licence_note,
        has_text=has_text,
        observation_count=record.observation_count,
        url=url(request, f"/v1/sources/{source.code}"),
        text_url=url(request, f"/v1/sources/{source.code}/text") if has_text else None,
    )


@router.get("", responses=LIST_ERRORS, operation_id="listSources")
def get_sources(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Page[SourceRead]:
    """List sources, newest first."""
    rows, total = list_sources(session, limit=pagination.limit, offset=pagination.offset)
    items = [_read(r, lang, request) for r in rows]
    return page_of(Page[SourceRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getSource")
def get_source_by_code(
    session: SessionDep, lang: LanguageDep, request: Request, code: CodePath
) -> SourceDetail:
    """One source with its metadata and the errata applied to its text."""
    record = get_source(session, code)
    errata = [ErratumRead.model_validate(e, from_attributes=True) for e in record.errata]
    return SourceDetail(**_read(record, lang, request).model_dump(), errata=errata)


@router.get(
    "/{code}/text",
    responses={
        **ITEM_ERRORS,
        **problem_responses(422),
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "The text.",
        },
    },
    response_class=PlainTextResponse,
    operation_id="getSourceText",
)
def get_source_text(
    session: SessionDep,
    code: CodePath,
    version: Annotated[
        Literal["corrected", "original"],
        Query(description="`corrected` (errata applied, the default) or `original` (as received)."),
    ] = "corrected",
) -> PlainTextResponse:
    """The full text of a source as UTF-8 plain text (Markdown as received), in its language."""
    source = get_source(session, code).source
    text = source.text if version == "corrected" else source.text_original
    if text is None:
        raise NotFoundError(
            f"Source {code!r} keeps no text: it is not ours to store. Its figures give "
            "locators; its copy is at published_url."
        )
    return PlainTextResponse(
        text, media_type="text/plain; charset=utf-8", headers={"Content-Language": source.language}
    )
