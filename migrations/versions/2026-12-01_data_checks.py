"""data checks

The checks the record makes about itself (parts against totals, a rate against its numerator
and denominator, a level against its printed change, one source against another), each with
its inputs, formula, expected and actual values, tolerance and verdict, and the links that
let them be filtered by region, indicator, source, observation and event. An event may be
another source's account of an event already in the record (`account_of`), with a
`conflict_note` when the two dates disagree.

Revision ID: c4e7a1d9b352
Revises: 9b6e4d2a7c13
Create Date: 2026-12-01 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4e7a1d9b352"
down_revision: str | None = "9b6e4d2a7c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.add_column("event", sa.Column("account_of", text(), nullable=True))
    op.add_column("event", sa.Column("conflict_note", sa.Text(), nullable=True))
    op.create_table(
        "data_check",
        sa.Column("code", text(), nullable=False),
        sa.Column("kind", text(), nullable=False),
        sa.Column("verdict", text(), nullable=False),
        sa.Column("region_code", text(), nullable=False),
        sa.Column("title_zh", text(), nullable=False),
        sa.Column("title_en", text(), nullable=False),
        sa.Column("sentence_zh", sa.Text(), nullable=False),
        sa.Column("sentence_en", sa.Text(), nullable=False),
        sa.Column("formula", text(), nullable=False),
        sa.Column("expected", text(), nullable=False),
        sa.Column("actual", text(), nullable=False),
        sa.Column("tolerance", text(), nullable=True),
        sa.Column("unit_code", text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("conflict_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_data_check")),
    )
    op.create_index(op.f("ix_data_check_verdict"), "data_check", ["verdict"])
    op.create_index(op.f("ix_data_check_region_code"), "data_check", ["region_code"])
    op.create_table(
        "data_check_link",
        sa.Column("check_code", text(), nullable=False),
        sa.Column("dimension", text(), nullable=False),
        sa.Column("code", text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_code"],
            ["data_check.code"],
            name=op.f("fk_data_check_link_check_code_data_check"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("check_code", "dimension", "code", name=op.f("pk_data_check_link")),
    )
    op.create_index("ix_data_check_link_dimension_code", "data_check_link", ["dimension", "code"])


def downgrade() -> None:
    op.drop_index("ix_data_check_link_dimension_code", table_name="data_check_link")
    op.drop_table("data_check_link")
    op.drop_index(op.f("ix_data_check_region_code"), table_name="data_check")
    op.drop_index(op.f("ix_data_check_verdict"), table_name="data_check")
    op.drop_table("data_check")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("conflict_note")
        batch_op.drop_column("account_of")
