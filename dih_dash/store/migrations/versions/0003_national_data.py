"""National data in the store, and the scheduled refresh's record.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

With PostgreSQL, refreshed Eurostat datasets live in the database (not in one process's
data folder), so every replica serves the version published last; the worker records its
attempts and next run. Only new tables: the rows of an existing store are not touched, and
an existing store has published nothing yet, so its readers keep the snapshot (or the
worker's first run adopts a data-folder refresh, see national_store.adopt_folder_refresh).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_versions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("stamp", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_national_versions"),
        sa.UniqueConstraint("stamp", name="uq_national_versions_stamp"),
    )
    op.create_table(
        "national_datasets",
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("dataset", sa.String(32), nullable=False),
        sa.Column("parquet", sa.LargeBinary, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("version_id", "dataset", name="pk_national_datasets"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["national_versions.id"],
            name="fk_national_datasets_version_id_national_versions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "national_active",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_national_active"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["national_versions.id"],
            name="fk_national_active_version_id_national_versions",
        ),
        sa.CheckConstraint("id = 1", name="ck_national_active_single_row"),
    )
    op.create_table(
        "refresh_runs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("ok", sa.Boolean),
        sa.Column("reason", sa.Text),
        sa.Column("version_stamp", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_runs"),
    )
    op.create_index("ix_refresh_runs_started_at", "refresh_runs", ["started_at"])
    op.create_table(
        "refresh_schedule",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True)),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_schedule"),
        sa.CheckConstraint("id = 1", name="ck_refresh_schedule_single_row"),
    )


def downgrade() -> None:
    op.drop_table("refresh_schedule")
    op.drop_index("ix_refresh_runs_started_at", table_name="refresh_runs")
    op.drop_table("refresh_runs")
    op.drop_table("national_active")
    op.drop_table("national_datasets")
    op.drop_table("national_versions")
