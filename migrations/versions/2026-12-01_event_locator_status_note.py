"""event locator, status and note

A moment told by a source whose text is not stored gives a locator instead of a quote (so
an event's quote may be null); `status` keeps an announced date that did not come true as
a claim, not a fact; `note` holds the curator's judgement, as an observation's does.

Revision ID: 5f2a9c8e1d37
Revises: 8d41b0c6e2f5
Create Date: 2026-12-01 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5f2a9c8e1d37"
down_revision: str | None = "8d41b0c6e2f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locator", sqlmodel.sql.sqltypes.AutoString()))
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="happened",
            )
        )
        batch_op.add_column(sa.Column("note", sa.Text()))
        batch_op.alter_column("quote", existing_type=sa.Text(), nullable=True)
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    for link in ("event_region", "event_topic", "event_entity", "event_indicator"):
        op.execute(
            f"DELETE FROM {link} WHERE event_code IN (SELECT code FROM event WHERE quote IS NULL)"
        )
    op.execute("DELETE FROM event WHERE quote IS NULL")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("quote", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("note")
        batch_op.drop_column("status")
        batch_op.drop_column("locator")
