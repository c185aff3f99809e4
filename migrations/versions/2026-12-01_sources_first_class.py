"""sources first class

A source says what kind of document it is, who published it, the copy read (address, site,
day) and how far the record relies on it (reliability, with the reason), with a licence
note. A document whose text is not ours to store has none: its figures give a locator
instead of a quote, so an observation's quote may be null. Undated or untitled documents
(an aggregator's tables, a repost) leave those fields null.

Existing sources are newspaper reports kept with their text: they are marked so.

Revision ID: 8d41b0c6e2f5
Revises: 3c9e1f7a2b64
Create Date: 2026-12-01 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8d41b0c6e2f5"
down_revision: str | None = "3c9e1f7a2b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString
_NEW = (
    ("kind", _STRING()),
    ("publisher_zh", _STRING()),
    ("publisher_en", _STRING()),
    ("copy_site_en", _STRING()),
    ("read_on", sa.Date()),
    ("reliability", _STRING()),
    ("reliability_note", sa.Text()),
    ("licence_note", sa.Text()),
)
_NOW_OPTIONAL = (
    ("publication_zh", _STRING()),
    ("publication_en", _STRING()),
    ("published_date", sa.Date()),
    ("title", _STRING()),
    ("text_original", sa.Text()),
    ("text", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        for name, type_ in _NEW:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.execute(
        "UPDATE source SET kind = 'newspaper_report', reliability = 'secondary', "
        "reliability_note = 'A newspaper report: it carries officials'' figures and claims, "
        "for which the statistical bulletins are the authority.'"
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=_STRING(), nullable=False)
        batch_op.alter_column("reliability", existing_type=_STRING(), nullable=False)
        batch_op.alter_column("reliability_note", existing_type=sa.Text(), nullable=False)
        for name, type_ in _NOW_OPTIONAL:
            batch_op.alter_column(name, existing_type=type_, nullable=True)
    for table in ("observation", "observation_vintage"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("quote", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # Figures without a quote, and sources without text, cannot go back to a schema that
    # requires them: they are removed first (the seed puts them back on upgrade).
    op.execute(
        "DELETE FROM observation_region WHERE observation_code IN "
        "(SELECT code FROM observation WHERE quote IS NULL)"
    )
    for link in ("observation_entity", "derivation_input"):
        op.execute(
            f"DELETE FROM {link} WHERE observation_code IN "
            "(SELECT code FROM observation WHERE quote IS NULL)"
        )
    op.execute("DELETE FROM observation WHERE quote IS NULL")
    op.execute("DELETE FROM observation_vintage WHERE quote IS NULL")
    op.execute(
        "DELETE FROM erratum WHERE source_code IN (SELECT code FROM source WHERE text IS NULL)"
    )
    op.execute("DELETE FROM source WHERE text IS NULL")
    for table in ("observation", "observation_vintage"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("quote", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("source", schema=None) as batch_op:
        for name, type_ in _NOW_OPTIONAL:
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        for name, _ in reversed(_NEW):
            batch_op.drop_column(name)
