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
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from dih_dash.domain.survey_schema import DII_ITEMS, DMA_COLUMNS

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
    UniqueConstraint("member_id"),
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
