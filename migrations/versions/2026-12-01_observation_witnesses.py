"""observation witnesses

Several sources may give the same indicator, region and period: each figure says which one
the series shows (`witness_of`, null for that one) and how it agrees with it (`agreement`);
a figure that conflicts carries the curator's `conflict_note`. The live table and the
vintages both carry them.

Revision ID: 9b6e4d2a7c13
Revises: 5f2a9c8e1d37
Create Date: 2026-12-01 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9b6e4d2a7c13"
down_revision: str | None = "5f2a9c8e1d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("observation", "observation_vintage")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("conflict_note", sa.Text()))
        op.add_column(table, sa.Column("witness_of", sqlmodel.sql.sqltypes.AutoString()))
        op.add_column(table, sa.Column("agreement", sqlmodel.sql.sqltypes.AutoString()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("agreement")
            batch_op.drop_column("witness_of")
            batch_op.drop_column("conflict_note")
