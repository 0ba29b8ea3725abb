"""Initial member store: members, assessments, their histories, the import log.

Revision ID: 0001
Revises:
Create Date: 2026-11-20

Self-contained on purpose (no import of `dih_dash.store.schema`, which describes the
head revision): a migration must create what the store looked like at that revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DMA = (
    "dma_strategy",
    "dma_readiness",
    "dma_human",
    "dma_data",
    "dma_automation",
    "dma_green",
    "dma_overall",
)
DII = (
    "dii_internet_staff",
    "dii_fast_broadband",
    "dii_ai",
    "dii_cloud",
    "dii_cloud_advanced",
    "dii_erp",
    "dii_crm",
    "dii_social_media",
    "dii_social_media_2plus",
    "dii_data_analytics",
    "dii_ecommerce_1pct",
    "dii_web_sales_b2c",
)


def _values() -> list[sa.Column]:
    return [
        sa.Column("assessed_on", sa.Date),
        sa.Column("cluster", sa.Text),
        sa.Column("sector", sa.Text),
        sa.Column("size_class", sa.String(16)),
        sa.Column("employees", sa.Integer),
        sa.Column("county", sa.String(2)),
        *(sa.Column(name, sa.Float) for name in DMA),
        *(sa.Column(name, sa.Boolean) for name in DII),
    ]


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("layout", sa.String(32)),
        sa.Column("encoding", sa.String(32)),
        sa.Column("delimiter", sa.String(8)),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("stored", sa.Boolean, nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("member_id", name="uq_members_member_id"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("member_pk", sa.Integer, nullable=False),
        sa.Column("wave", sa.String(16), nullable=False),
        *_values(),
        sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upload_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["members.id"],
            name="fk_assessments_member_pk_members",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name="fk_assessments_upload_id_uploads",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("member_pk", "wave", name="uq_assessments_member_pk_wave"),
    )
    op.create_index("ix_assessments_upload_id", "assessments", ["upload_id"])
    op.create_table(
        "assessment_history",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=False),
        *_values(),
        sa.Column("written_by_upload", sa.Integer),
        sa.Column("replaced_by_upload", sa.Integer),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessment_history"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name="fk_assessment_history_assessment_id_assessments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_upload"],
            ["uploads.id"],
            name="fk_assessment_history_written_by_upload_uploads",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_upload"],
            ["uploads.id"],
            name="fk_assessment_history_replaced_by_upload_uploads",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_assessment_history_assessment_id", "assessment_history", ["assessment_id"])
    op.create_table(
        "member_name_history",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("member_pk", sa.Integer, nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("replaced_by_upload", sa.Integer),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_member_name_history"),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["members.id"],
            name="fk_member_name_history_member_pk_members",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_upload"],
            ["uploads.id"],
            name="fk_member_name_history_replaced_by_upload_uploads",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_member_name_history_member_pk", "member_name_history", ["member_pk"])


def downgrade() -> None:
    op.drop_table("member_name_history")
    op.drop_table("assessment_history")
    op.drop_table("assessments")
    op.drop_table("members")
    op.drop_table("uploads")
