"""Uploads: a `kind` (file or demo) and an index on `imported_at`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The demo cohort is imported like a file but must be removable as a whole, and the
import log page lists uploads newest first, which the index serves. Existing uploads
were all real files, hence the server default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch table copy): on SQLite a copy would drop and recreate
    # `uploads`, and with foreign keys on that would null every assessment's upload_id.
    op.add_column(
        "uploads",
        sa.Column("kind", sa.String(8), nullable=False, server_default=sa.text("'file'")),
    )
    op.create_index("ix_uploads_imported_at", "uploads", ["imported_at"])


def downgrade() -> None:
    op.drop_index("ix_uploads_imported_at", table_name="uploads")
    op.drop_column("uploads", "kind")
