"""postgresql trigram search

On PostgreSQL, search matches substrings (Chinese has no spaces between words) with ILIKE,
served by trigram indexes from the pg_trgm extension. SQLite has its FTS5 trigram index
(an earlier revision); there this revision does nothing.

Revision ID: 5b1e0c3f9a27
Revises: 768cd6d1c02d
Create Date: 2026-11-27 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b1e0c3f9a27"
down_revision: str | None = "768cd6d1c02d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {"ix_search_document_title_trgm": "title", "ix_search_document_body_trgm": "body"}


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON search_document USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
