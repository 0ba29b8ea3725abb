"""The member store's tables, as the latest migration leaves them.

The migrations under `migrations/versions/` create and change the tables; this module
describes the head revision for the queries. A test compares the two (alembic's
autogenerate diff must be empty), so they cannot drift apart.

Member ids are kept as the validation hands them over (trimmed, upper-case), so the
unique index on `members.member_id` is also the case-insensitive comparison the spec asks
for. Times are UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from dih_dash.domain.survey_schema import DII_ITEMS, DMA_COLUMNS, PSO_DIMENSIONS

# Explicit constraint names: PostgreSQL and SQLite then agree, and a later migration can
# drop or alter a constraint by name.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING)

UPLOAD_KINDS = ("file", "demo")

# The assessment's own values: everything of an assessment frame row except the key and
# the company name (which belongs to the member). Compared on import; kept in history.
VALUE_COLUMNS: tuple[str, ...] = (
    "assessed_on",
    "cluster",
    "sector",
    "size_class",
    "employees",
    "county",
    *DMA_COLUMNS,
    *DII_ITEMS,
    *PSO_DIMENSIONS,
)


def _value_columns() -> list[Column]:
    return [
        Column("assessed_on", Date),
        Column("cluster", Text),
        Column("sector", Text),
        Column("size_class", String(16)),
        Column("employees", Integer),
        Column("county", String(2)),
        *(Column(name, Float) for name in DMA_COLUMNS),
        # NULL is "not answered", which the spec keeps apart from "no".
        *(Column(name, Boolean) for name in DII_ITEMS),
    ]


def _pso_columns() -> list[Column]:
    # Added by revision 0004 at the end of the tables (where ADD COLUMN puts them): the PSO
    # instrument's dimensions, NULL for an SME.
    return [Column(name, Float) for name in PSO_DIMENSIONS]


uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("layout", String(32)),
    Column("encoding", String(32)),
    Column("delimiter", String(8)),
    Column("rows", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("stored", Boolean, nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # Added by revision 0002: the demo cohort is logged like a file but removable as one.
    Column("kind", String(8), nullable=False, server_default=text("'file'")),
    Index("ix_uploads_imported_at", "imported_at"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", String(64), nullable=False),
    Column("company_name", String(200), nullable=False),
    Column("is_demo", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Added by revision 0004; every member stored before it came from an SME file.
    Column("org_type", String(3), nullable=False, server_default=text("'sme'")),
    UniqueConstraint("member_id"),
    CheckConstraint("org_type IN ('sme', 'pso')", name="org_type"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "member_pk",
        Integer,
        ForeignKey("members.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("wave", String(16), nullable=False),
    *_value_columns(),
    Column("is_demo", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    *_pso_columns(),
    UniqueConstraint("member_pk", "wave"),
    Index("ix_assessments_upload_id", "upload_id"),
)

assessment_history = Table(
    "assessment_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "assessment_id",
        Integer,
        ForeignKey("assessments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # The values as they were before `replaced_by_upload` overwrote them.
    *_value_columns(),
    Column("written_by_upload", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    Column("replaced_by_upload", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    *_pso_columns(),
    Index("ix_assessment_history_assessment_id", "assessment_id"),
)

member_name_history = Table(
    "member_name_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "member_pk",
        Integer,
        ForeignKey("members.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("company_name", String(200), nullable=False),
    Column("replaced_by_upload", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Index("ix_member_name_history_member_pk", "member_pk"),
)


# --- national data (revision 0003) -------------------------------------------------------
# A refresh of the Eurostat datasets is published as a version: its datasets (Parquet bytes,
# as in the data folder) and manifest are inserted and `national_active` is pointed at it in
# one transaction, so every replica reading this database switches to the whole new version
# at once. Only the last few versions are kept.

national_versions = Table(
    "national_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    # The same stamp a data-folder version gets (UTC, sortable): names the local cache.
    Column("stamp", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(200), nullable=False),
    # {"version": stamp, "datasets": {name: manifest entry}}, as manifest.json on disk.
    Column("manifest", Text, nullable=False),
    UniqueConstraint("stamp"),
)

national_datasets = Table(
    "national_datasets",
    metadata,
    Column(
        "version_id",
        Integer,
        ForeignKey("national_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("dataset", String(32), primary_key=True),
    Column("parquet", LargeBinary, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("entry", Text, nullable=False),
)

# One row (id 1) once anything was published; none means "the bundled snapshot".
national_active = Table(
    "national_active",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version_id", Integer, ForeignKey("national_versions.id"), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# Every refresh attempt of the worker (and of the page's button): what staff see on Data &
# sources, and what the schedule's retries count.
refresh_runs = Table(
    "refresh_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trigger", String(16), nullable=False),  # schedule, once, manual
    Column("worker", String(200), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("ok", Boolean),  # NULL while running (or when the worker died mid-run)
    Column("reason", Text),
    # The national version it published; no foreign key, since old versions are pruned.
    Column("version_stamp", String(32)),
    Index("ix_refresh_runs_started_at", "started_at"),
)

# The next run a worker has planned (one row, id 1), so the page can show it.
refresh_schedule = Table(
    "refresh_schedule",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("next_run_at", DateTime(timezone=True)),
    Column("worker", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)


# --- services delivered (revision 0005) --------------------------------------------------
# A service is keyed by (customer, category, start, end, description), stored as the digest
# `service_key` (domain/services_schema.py) so the unique index takes empty dates and long
# descriptions alike. An export row names its customer by name only: `customer_key` is the
# folded name (or `member:<id>` for the hub template), and `member_pk` the member it is
# linked to, NULL while unlinked (no match, or several).

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service_key", String(64), nullable=False),
    Column("customer_key", String(300), nullable=False),
    Column("customer_name", String(200)),
    Column("member_pk", Integer, ForeignKey("members.id", ondelete="SET NULL")),
    Column("customer_type", String(16)),
    Column("category", String(64), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("description", Text, nullable=False),
    Column("price_eur", Float),
    Column("status", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    # Revision 0006: rows of the demo data, removed with it.
    Column("is_demo", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("service_key"),
    Index("ix_services_customer_key", "customer_key"),
    Index("ix_services_member_pk", "member_pk"),
)

# The values a re-import replaced, as they were.
service_history = Table(
    "service_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "service_id",
        Integer,
        ForeignKey("services.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("customer_name", String(200)),
    Column("member_pk", Integer),
    Column("customer_type", String(16)),
    Column("price_eur", Float),
    Column("status", Text),
    Column("written_by_upload", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    Column("replaced_by_upload", Integer, ForeignKey("uploads.id", ondelete="SET NULL")),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Index("ix_service_history_service_id", "service_id"),
)

# Links staff made by hand: a folded customer name → the member it is. Imports use them
# before matching names, so a link is made once.
service_links = Table(
    "service_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_key", String(300), nullable=False),
    Column("customer_name", String(200), nullable=False),
    Column(
        "member_pk",
        Integer,
        ForeignKey("members.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("linked_by", String(200), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("customer_key"),
)
