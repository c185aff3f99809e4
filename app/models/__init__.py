"""Database tables. The naming convention is set here, before any table is declared."""

from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from app.models.tables import (  # noqa: E402 - tables must see the naming convention
    DatasetMeta,
    DerivationInput,
    Erratum,
    Indicator,
    Observation,
    ObservationRegion,
    Region,
    Source,
    Topic,
    Unit,
)

__all__ = [
    "DatasetMeta",
    "DerivationInput",
    "Erratum",
    "Indicator",
    "Observation",
    "ObservationRegion",
    "Region",
    "Source",
    "Topic",
    "Unit",
]
