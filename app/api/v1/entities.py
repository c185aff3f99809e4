"""Entities: projects, organisations, initiatives, honours, places and products, with links."""

from typing import Annotated

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
    VocabularyCodeText,
    page_of,
    url,
)
from app.api.presenters import entity_ref, region_ref
from app.api.routing import DataRoute
from app.models import Entity
from app.rules.entities import EntityKind, Relation
from app.rules.languages import Language, pick
from app.schemas.common import Page
from app.schemas.resources import (
    EntityDetail,
    EntityRead,
    PersonRead,
    RegionLink,
    RelatedEntityRead,
)
from app.services.entities import get_entity, list_entities

router = APIRouter(
    prefix=f"{V1_PREFIX}/entities",
    tags=["entities"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


def _read(entity: Entity, lang: Language, request: Request) -> EntityRead:
    return EntityRead(
        **entity_ref(entity, lang, request).model_dump(),
        description=pick(lang, entity.description_zh, entity.description_en),
        description_zh=entity.description_zh,
        description_en=entity.description_en,
        source=entity.source_code,
        quote=entity.quote,
    )


@router.get("", responses=LIST_ERRORS, operation_id="listEntities")
def get_entities(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    kind: Annotated[EntityKind | None, Query(description="Only entities of this kind.")] = None,
    region: Annotated[
        RegionCodeText | None, Query(description="Only entities tied to this region.")
    ] = None,
    topic: Annotated[
        VocabularyCodeText | None, Query(description="Only entities in this topic.")
    ] = None,
) -> Page[EntityRead]:
    """List entities by code, optionally of one kind, region or topic."""
    rows, total = list_entities(
        session,
        kind=kind.value if kind else None,
        region=region,
        topic=topic,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [_read(e, lang, request) for e in rows]
    return page_of(Page[EntityRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getEntity")
def get_entity_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="Entity code, e.g. yangshe-railway.")],
) -> EntityDetail:
    """One entity with every link, each with the words of the source that support it."""
    record = get_entity(session, code)
    return EntityDetail(
        **_read(record.entity, lang, request).model_dump(),
        regions=[
            RegionLink(
                **region_ref(region, lang).model_dump(),
                quote=link.quote,
                url=url(request, f"/v1/regions/{region.code}"),
            )
            for link, region in record.regions
        ],
        topics=record.topics,
        people=[
            PersonRead(
                code=p.code,
                name=pick(lang, p.name_zh, p.name_en),
                name_zh=p.name_zh,
                name_en=p.name_en,
                role=pick(lang, p.role_zh, p.role_en),
                role_zh=p.role_zh,
                role_en=p.role_en,
                quote=p.quote,
            )
            for p in record.people
        ],
        related=[
            RelatedEntityRead(
                **entity_ref(r.entity, lang, request).model_dump(),
                relation=Relation(r.relation),
                direction=r.direction,
                quote=r.quote,
            )
            for r in record.related
        ],
        events=record.events,
        observations=record.observations,
        quotes=record.quotes,
        events_url=url(request, "/v1/events", entity=code),
        observations_url=url(request, "/v1/observations", entity=code),
    )
