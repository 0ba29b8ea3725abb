"""Organisation kind of a member, and the six PSO dimensions of an assessment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

The hub assesses SMEs and public-sector organisations (PSOs) with two instruments whose
dimensions differ, so a member gets a kind and an assessment gets the PSO dimensions as
columns of their own (never mixed into the SME `dma_*` ones). Every member stored before
this revision came from an SME file, hence the server default 'sme'.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PSO_COLUMNS = (
    "pso_strategy",
    "pso_readiness",
    "pso_human",
    "pso_data",
    "pso_interop",
    "pso_green",
)


def upgrade() -> None:
    # One plain ADD COLUMN with its CHECK inline, valid on SQLite and PostgreSQL alike: a
    # batch copy of `members` on SQLite would drop the table and, with foreign keys on,
    # cascade-delete every assessment.
    op.execute(
        "ALTER TABLE members ADD COLUMN org_type VARCHAR(3) DEFAULT 'sme' NOT NULL "
        "CONSTRAINT ck_members_org_type CHECK (org_type IN ('sme', 'pso'))"
    )
    for table in ("assessments", "assessment_history"):
        for name in PSO_COLUMNS:
            op.add_column(table, sa.Column(name, sa.Float))


def downgrade() -> None:
    for table in ("assessment_history", "assessments"):
        for name in reversed(PSO_COLUMNS):
            op.drop_column(table, name)
    op.drop_column("members", "org_type")
