"""Services delivered: the services, their history, and the links staff made by hand.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

spec/edih-services.md §3: services from the EDIH services reporting export or the hub's
template, keyed by (customer, category, start, end, description) as a digest; an export row
names its customer by name only and is linked to a member by folded name, or by a link a
staff member made once (`service_links`). New tables only: nothing existing is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_key", sa.String(64), nullable=False),
        sa.Column("customer_key", sa.String(300), nullable=False),
        sa.Column("customer_name", sa.String(200)),
        sa.Column("member_pk", sa.Integer),
        sa.Column("customer_type", sa.String(16)),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("price_eur", sa.Float),
        sa.Column("status", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upload_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["members.id"],
            name="fk_services_member_pk_members",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name="fk_services_upload_id_uploads",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("service_key", name="uq_services_service_key"),
    )
    op.create_index("ix_services_customer_key", "services", ["customer_key"])
    op.create_index("ix_services_member_pk", "services", ["member_pk"])
    op.create_table(
        "service_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.Integer, nullable=False),
        sa.Column("customer_name", sa.String(200)),
        sa.Column("member_pk", sa.Integer),
        sa.Column("customer_type", sa.String(16)),
        sa.Column("price_eur", sa.Float),
        sa.Column("status", sa.Text),
        sa.Column("written_by_upload", sa.Integer),
        sa.Column("replaced_by_upload", sa.Integer),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_history"),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_service_history_service_id_services",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_upload"],
            ["uploads.id"],
            name="fk_service_history_written_by_upload_uploads",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_upload"],
            ["uploads.id"],
            name="fk_service_history_replaced_by_upload_uploads",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_service_history_service_id", "service_history", ["service_id"])
    op.create_table(
        "service_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_key", sa.String(300), nullable=False),
        sa.Column("customer_name", sa.String(200), nullable=False),
        sa.Column("member_pk", sa.Integer, nullable=False),
        sa.Column("linked_by", sa.String(200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_links"),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["members.id"],
            name="fk_service_links_member_pk_members",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("customer_key", name="uq_service_links_customer_key"),
    )


def downgrade() -> None:
    op.drop_table("service_links")
    op.drop_index("ix_service_history_service_id", table_name="service_history")
    op.drop_table("service_history")
    op.drop_index("ix_services_member_pk", table_name="services")
    op.drop_index("ix_services_customer_key", table_name="services")
    op.drop_table("services")
