"""observation locator

Where in its source a figure is printed, for sources whose text is not stored (statistical
bulletins, compilations): the live table and the vintages both carry it.

Revision ID: 3c9e1f7a2b64
Revises: b508f72dd6fd
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c9e1f7a2b64"
down_revision: str | None = "b508f72dd6fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("observation", "observation_vintage")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("locator", sqlmodel.sql.sqltypes.AutoString()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("locator")
