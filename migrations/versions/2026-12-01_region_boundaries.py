"""region boundaries

Each region's outline, simplified for drawing, as GeoJSON geometry text, with the source it
is drawn from: what GET /v1/regions/{code}/boundaries serves and the dashboard's map draws.

Revision ID: e8b2f6a4d913
Revises: c4e7a1d9b352
Create Date: 2026-12-01 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e8b2f6a4d913"
down_revision: str | None = "c4e7a1d9b352"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "region_boundary",
        sa.Column("region_code", text(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("source_code", text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_region_boundary_region_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["source_code"], ["source.code"], name=op.f("fk_region_boundary_source_code_source")
        ),
        sa.PrimaryKeyConstraint("region_code", name=op.f("pk_region_boundary")),
    )
    op.create_index(op.f("ix_region_boundary_source_code"), "region_boundary", ["source_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_region_boundary_source_code"), table_name="region_boundary")
    op.drop_table("region_boundary")
