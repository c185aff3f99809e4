"""Each resource's own fields are declared once (app/models/fields.py) and reach every step:
the seed model, the table, the export, and for observations the read query and the response."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, SQLModel

from app.models import (
    Entity,
    Event,
    Indicator,
    Observation,
    Person,
    Quotation,
    Region,
    Source,
    Topic,
    Unit,
)
from app.models.fields import (
    EntityFields,
    EventFields,
    IndicatorFields,
    ObservationFields,
    PersonFields,
    QuotationFields,
    RegionFields,
    SourceFields,
    TopicFields,
    UnitFields,
)
from app.seed.records import read_records
from app.seed.schema import (
    EntitySeed,
    EventSeed,
    IndicatorSeed,
    ObservationSeed,
    PersonSeed,
    QuoteSeed,
    RegionSeed,
    SourceSeed,
    TopicSeed,
    UnitSeed,
)

DECLARED = [
    (SourceFields, SourceSeed, Source, "sources"),
    (RegionFields, RegionSeed, Region, "regions"),
    (TopicFields, TopicSeed, Topic, "topics"),
    (UnitFields, UnitSeed, Unit, "units"),
    (IndicatorFields, IndicatorSeed, Indicator, "indicators"),
    (ObservationFields, ObservationSeed, Observation, "observations"),
    (EntityFields, EntitySeed, Entity, "entities"),
    (PersonFields, PersonSeed, Person, None),
    (EventFields, EventSeed, Event, "events"),
    (QuotationFields, QuoteSeed, Quotation, "quotes"),
]


@pytest.mark.parametrize(("fields", "seed", "table", "resource"), DECLARED)
def test_declared_fields_are_columns_of_the_migrated_table(
    fields: type[SQLModel],
    seed: type[SQLModel],
    table: type[SQLModel],
    resource: str | None,
    seeded_url: str,
) -> None:
    # The models inherit the declaration; the migrations must have made each column.
    engine = create_engine(seeded_url)
    columns = {c["name"] for c in inspect(engine).get_columns(str(table.__tablename__))}
    engine.dispose()
    assert set(fields.model_fields) <= columns, set(fields.model_fields) - columns


@pytest.mark.parametrize(("fields", "seed", "table", "resource"), [d for d in DECLARED if d[3]])
def test_declared_fields_come_back_in_the_export(
    fields: type[SQLModel],
    seed: type[SQLModel],
    table: type[SQLModel],
    resource: str,
    seeded_url: str,
) -> None:
    with Session(create_engine(seeded_url)) as session:
        records = read_records(session, resource)
    assert records
    required = [n for n, info in fields.model_fields.items() if info.is_required()]
    for record in records:
        assert set(required) <= set(record), (resource, record["code"])


def test_declared_observation_fields_reach_the_response(client: TestClient) -> None:
    item = client.get("/v1/observations/gdp-2024").json()
    for name in ObservationFields.model_fields:
        assert name in item, name
    assert item["quote"].startswith("2024年")
