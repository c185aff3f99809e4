"""indicator aliases

An indicator's other names and abbreviations in each language (GDP, 国内生产总值), as JSON
lists of text: served with the indicator and indexed by search. Existing indicators have none.

Revision ID: 7a3d5e9c1f20
Revises: e8b2f6a4d913
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3d5e9c1f20"
down_revision: str | None = "e8b2f6a4d913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for name in ("aliases_zh", "aliases_en"):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default="[]"))
    # The default only fills the rows already there: the seeder and the API always give both.
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for name in ("aliases_zh", "aliases_en"):
            batch_op.alter_column(name, existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("aliases_en")
        batch_op.drop_column("aliases_zh")
