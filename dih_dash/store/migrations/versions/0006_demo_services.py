"""Demo services: a service row can belong to the demo data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

The demo cohort gains services delivered to its fictional members. Removing the demo must
take exactly those rows out again, whatever upload later touched them, so the flag sits on
the row as it does on assessments and members.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy on SQLite): see 0004 for why.
    op.execute("ALTER TABLE services ADD COLUMN is_demo BOOLEAN DEFAULT false NOT NULL")


def downgrade() -> None:
    op.drop_column("services", "is_demo")
